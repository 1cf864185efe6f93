with source as (
    select * from {{ source('netsuite', 'item') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as item_id,
        "itemid" as itemid,
        "fullname" as fullname,
        "displayname" as displayname,
        "itemtype" as itemtype,
        "description" as description,
        "cost" as cost,
        "department" as department_id,
        "class" as class_id,
        "location" as location_id,
        "subsidiary" as subsidiary,
        "assetaccount" as assetaccount,
        "expenseaccount" as expenseaccount,
        "incomeaccount" as incomeaccount,
        "gainlossaccount" as gainlossaccount,
        "intercoexpenseaccount" as intercoexpenseaccount,
        "intercoincomeaccount" as intercoincomeaccount,
        "deferralaccount" as deferralaccount,
        "deferredrevenueaccount" as deferredrevenueaccount,
        "parent" as parent_id,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
        "externalid" as externalid,
        "createddate" as createddate,
        "lastmodifieddate" as lastmodifieddate,
        {{ netsuite_known_at('"lastmodifieddate"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
