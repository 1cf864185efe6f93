{#- Receipt applications: one row per receipt line applied to an invoice pay item. -#}
with source as (
    select * from {{ source('jde', 'F03B14') }}
    where not _erpml_deleted
),

currencies as (
    select currency_code, currency_decimals from {{ ref('stg_jde__f0013') }}
),

renamed as (
    select
        cast(source."RZPYID" as bigint) as payment_id,
        cast(source."RZRC5" as bigint) as payment_line_number,
        {{ erpml.erpml_key('jde', erpml.jde_company('source."RZKCO"'), [
            'trim(source."RZDCT")', 'cast(source."RZDOC" as bigint)', 'trim(source."RZSFX")'])
        }} as ar_invoice_key,
        {{ erpml.jde_company('source."RZKCO"') }} as document_company,
        trim(source."RZDCT") as document_type,
        cast(source."RZDOC" as bigint) as document_number,
        trim(source."RZSFX") as pay_item,
        {{ erpml.jde_company('source."RZCO"') }} as company_code,
        cast(source."RZAN8" as bigint) as customer_number,
        {{ erpml.jde_julian_to_date('source."RZDMTJ"') }} as receipt_date,
        {{ erpml.jde_julian_to_date('source."RZDGJ"') }} as gl_date,
        trim(source."RZBCRC") as currency_code,
        {{ erpml.jde_currency_amount('source."RZPAAP"', 'currencies.currency_decimals',
            'source."RZBCRC"') }} as applied_amount,
        trim(source."RZCRCD") as transaction_currency_code,
        {{ erpml.jde_timestamp('source."RZUPMJ"', 'source."RZUPMT"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    left join currencies on currencies.currency_code = trim(source."RZBCRC")
),

final as (
    select * from renamed
)

select * from final
