{#- Receipts (header). The receipt amount RYCKAM is in the base currency RYBCRC. -#}
with source as (
    select * from {{ source('jde', 'F03B13') }}
    where not _erpml_deleted
),

currencies as (
    select currency_code, currency_decimals from {{ ref('stg_jde__f0013') }}
),

renamed as (
    select
        cast(source."RYPYID" as bigint) as payment_id,
        {{ erpml.jde_company('source."RYCO"') }} as company_code,
        cast(source."RYAN8" as bigint) as customer_number,
        trim(source."RYCKNU") as receipt_number,
        {{ erpml.jde_julian_to_date('source."RYDMTJ"') }} as receipt_date,
        {{ erpml.jde_julian_to_date('source."RYDGJ"') }} as gl_date,
        trim(source."RYBCRC") as currency_code,
        {{ erpml.jde_currency_amount('source."RYCKAM"', 'currencies.currency_decimals',
            'source."RYBCRC"') }} as receipt_amount,
        trim(source."RYCRCD") as transaction_currency_code,
        {{ erpml.jde_timestamp('source."RYUPMJ"', 'source."RYUPMT"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    left join currencies on currencies.currency_code = trim(source."RYBCRC")
),

final as (
    select * from renamed
)

select * from final
