with source as (
    select * from {{ source('jde', 'F0006') }}
    where not _erpml_deleted
),

renamed as (
    select
        {{ erpml.jde_code('"MCMCU"') }} as business_unit,
        {{ erpml.jde_company('"MCCO"') }} as company_code,
        {{ erpml.jde_code('"MCSTYL"') }} as business_unit_type,
        trim("MCDL01") as business_unit_name,
        cast("MCAN8" as bigint) as address_number,
        {{ erpml.jde_timestamp('"MCUPMJ"', '"MCUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
