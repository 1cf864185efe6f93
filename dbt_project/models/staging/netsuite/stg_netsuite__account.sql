with source as (
    select * from {{ source('netsuite', 'account') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as account_id,
        "acctnumber" as acctnumber,
        "fullname" as fullname,
        "accountsearchdisplayname" as accountsearchdisplayname,
        "accountsearchdisplaynamecopy" as accountsearchdisplaynamecopy,
        "displaynamewithhierarchy" as displaynamewithhierarchy,
        "accttype" as accttype,
        "sspecacct" as sspecacct,
        "description" as description,
        "generalrate" as generalrate,
        "cashflowrate" as cashflowrate,
        "parent" as parent_id,
        "currency" as currency_id,
        "class" as class_id,
        "department" as department_id,
        "location" as location_id,
        "subsidiary" as subsidiary,
        "deferralacct" as deferralacct,
        {{ netsuite_tf_to_bool('"includechildren"') }} as is_includechildren,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
        {{ netsuite_tf_to_bool('"issummary"') }} as is_summary,
        {{ netsuite_tf_to_bool('"eliminate"') }} as is_eliminate,
        {{ netsuite_tf_to_bool('"revalue"') }} as is_revalue,
        "externalid" as externalid,
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
