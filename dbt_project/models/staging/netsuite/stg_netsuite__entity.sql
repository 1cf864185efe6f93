with source as (
    select * from {{ source('netsuite', 'entity') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as entity_id,
        "entityid" as entityid,
        "altname" as altname,
        "entitytitle" as entitytitle,
        "type" as type,
        "customer" as customer_id,
        "vendor" as vendor_id,
        "employee" as employee_id,
        "contact" as contact_id,
        "project" as project_id,
        "parent" as parent_id,
        "toplevelparent" as top_level_parent_id,
        {{ netsuite_tf_to_bool('"isperson"') }} as is_person,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
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
