with source as (
    select * from {{ source('netsuite', 'term') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as term_id,
        "name" as name,
        "daysuntilnetdue" as daysuntilnetdue,
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
