with source as (
    select * from {{ source('jde', 'F0010') }}
    where not _erpml_deleted
),

renamed as (
    select
        {{ erpml.jde_company('"CCCO"') }} as company_code,
        trim("CCNAME") as company_name,
        {{ erpml.jde_code('"CCCRCD"') }} as currency_code,
        {{ erpml.jde_code('"CCDTPN"') }} as fiscal_date_pattern,
        cast("CCPNC" as integer) as current_period,
        {{ erpml.jde_julian_to_date('"CCDFYJ"') }} as fiscal_year_begin_date,
        {{ erpml.jde_timestamp('"CCUPMJ"', '"CCUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
