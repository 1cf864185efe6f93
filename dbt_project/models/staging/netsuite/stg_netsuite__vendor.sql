with source as (
    select * from {{ source('netsuite', 'vendor') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as vendor_id,
        "entityid" as entityid,
        "altname" as altname,
        "companyname" as companyname,
        {{ netsuite_tf_to_bool('"isperson"') }} as is_person,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
        "category" as category_id,
        "subsidiary" as subsidiary_id,
        "currency" as currency_id,
        "terms" as terms_id,
        "payablesaccount" as payablesaccount,
        "email" as email,
        "externalid" as externalid,
        "datecreated" as datecreated,
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
