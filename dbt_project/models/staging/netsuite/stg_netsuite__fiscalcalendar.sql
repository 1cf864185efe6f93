with source as (
    select * from {{ source('netsuite', 'fiscalcalendar') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as fiscalcalendar_id,
        "name" as name,
        "fiscalmonth" as fiscalmonth,
        {{ netsuite_tf_to_bool('"isdefault"') }} as is_default,
        "externalid" as externalid,
        {{ netsuite_known_at('"_erpml_extracted_at"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
