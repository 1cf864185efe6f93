{#- Exchange rates: multiplier CXCRR (from -> to) and divisor CXCRRD, data-dictionary decimals. -#}
with source as (
    select * from {{ source('jde', 'F0015') }}
    where not _erpml_deleted
),

renamed as (
    select
        trim("CXCRCD") as from_currency_code,
        trim("CXCRDC") as to_currency_code,
        cast("CXAN8" as bigint) as address_number,
        {{ erpml.jde_code('"CXRTTYP"') }} as rate_type,
        {{ erpml.jde_julian_to_date('"CXEFT"') }} as effective_date,
        {{ erpml.jde_dd_decimals('"CXCRR"', 'exchange_rate', 7) }} as multiplier_rate,
        {{ erpml.jde_dd_decimals('"CXCRRD"', 'exchange_rate', 7) }} as divisor_rate,
        {{ erpml.jde_timestamp('"CXUPMJ"', '"CXUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
