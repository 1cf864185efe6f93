{#- AR invoices. Domestic amounts (RPAG gross, RPAAP open) are in the base currency RPBCRC. -#}
with source as (
    select * from {{ source('jde', 'F03B11') }}
    where not _erpml_deleted
),

currencies as (
    select currency_code, currency_decimals from {{ ref('stg_jde__f0013') }}
),

renamed as (
    select
        {{ erpml.ar_jde_invoice_key('source') }} as ar_invoice_key,
        {{ erpml.jde_company('source."RPKCO"') }} as document_company,
        trim(source."RPDCT") as document_type,
        cast(source."RPDOC" as bigint) as document_number,
        trim(source."RPSFX") as pay_item,
        {{ erpml.jde_company('source."RPCO"') }} as company_code,
        cast(source."RPAN8" as bigint) as customer_number,
        {{ erpml.jde_code('source."RPMCU"') }} as business_unit,
        {{ erpml.jde_julian_to_date('source."RPDIVJ"') }} as invoice_date,
        {{ erpml.jde_julian_to_date('source."RPDDJ"') }} as due_date,
        {{ erpml.jde_julian_to_date('source."RPDGJ"') }} as gl_date,
        {{ erpml.jde_julian_to_date('source."RPJCL"') }} as closed_date,
        trim(source."RPPST") as pay_status,
        pay_statuses.description as pay_status_description,
        {{ erpml.jde_code('source."RPPTC"') }} as payment_terms,
        trim(source."RPBCRC") as currency_code,
        {{ erpml.jde_currency_amount('source."RPAG"', 'currencies.currency_decimals',
            'source."RPBCRC"') }} as gross_amount,
        {{ erpml.jde_currency_amount('source."RPAAP"', 'currencies.currency_decimals',
            'source."RPBCRC"') }} as open_amount,
        trim(source."RPCRCD") as transaction_currency_code,
        {{ erpml.jde_timestamp('source."RPUPMJ"', 'source."RPUPMT"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    left join currencies on currencies.currency_code = trim(source."RPBCRC")
    {{ erpml.jde_udc_join('00', 'PS', 'source."RPPST"', 'pay_statuses') }}
),

final as (
    select * from renamed
)

select * from final
