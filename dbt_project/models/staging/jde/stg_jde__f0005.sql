{#- User defined codes: keys (DRKY) trimmed, whichever way JDE justified them. -#}
with source as (
    select * from {{ source('jde', 'F0005') }}
    where not _erpml_deleted
),

renamed as (
    select
        trim("DRSY") as udc_system,
        trim("DRRT") as udc_type,
        trim("DRKY") as udc_code,
        trim("DRDL01") as description,
        {{ erpml.jde_code('"DRDL02"') }} as description_2,
        {{ erpml.jde_code('"DRSPHD"') }} as special_handling,
        trim("DRHRDC") = 'Y' as is_hard_coded,
        {{ erpml.jde_timestamp('"DRUPMJ"', '"DRUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
