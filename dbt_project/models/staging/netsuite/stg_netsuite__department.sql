with source as (
    select * from {{ source('netsuite', 'department') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as department_id,
        "name" as name,
        "fullname" as fullname,
        "parent" as parent_id,
        "subsidiary" as subsidiary,
        {{ netsuite_tf_to_bool('"includechildren"') }} as is_includechildren,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
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
