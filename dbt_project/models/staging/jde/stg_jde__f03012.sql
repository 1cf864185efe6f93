{#- Customer master by company; the credit limit is in the company currency. -#}
with source as (
    select * from {{ source('jde', 'F03012') }}
    where not _erpml_deleted
),

companies as (
    select company_code, currency_code from {{ ref('stg_jde__f0010') }}
),

currencies as (
    select currency_code, currency_decimals from {{ ref('stg_jde__f0013') }}
),

renamed as (
    select
        {{ erpml.erpml_key('jde', erpml.jde_company('source."AICO"'),
            'cast(source."AIAN8" as bigint)') }} as customer_key,
        cast(source."AIAN8" as bigint) as address_number,
        {{ erpml.jde_company('source."AICO"') }} as company_code,
        companies.currency_code,
        {{ erpml.jde_currency_amount('source."AIACL"', 'currencies.currency_decimals',
            'companies.currency_code') }} as credit_limit,
        {{ erpml.jde_code('source."AITRAR"') }} as payment_terms,
        {{ erpml.jde_julian_to_date('source."AIDAOJ"') }} as date_account_opened,
        {{ erpml.jde_timestamp('source."AIUPMJ"', 'source."AIUPMT"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    left join companies on companies.company_code = {{ erpml.jde_company('source."AICO"') }}
    left join currencies on currencies.currency_code = companies.currency_code
),

final as (
    select * from renamed
)

select * from final
