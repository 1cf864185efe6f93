{#- G/L detail. AA (and other non-CA) ledger amounts are in the company currency, CA ledger
    amounts in the transaction currency (GLCRCD); decimals from F0013. -#}
with source as (
    select * from {{ source('jde', 'F0911') }}
    where not _erpml_deleted
),

companies as (
    select company_code, currency_code from {{ ref('stg_jde__f0010') }}
),

currencies as (
    select currency_code, currency_decimals from {{ ref('stg_jde__f0013') }}
),

with_currency as (
    select
        source.*,
        case when trim(source."GLLT") = 'CA' then trim(source."GLCRCD")
            else companies.currency_code end as ledger_currency_code
    from source
    left join companies on companies.company_code = {{ erpml.jde_company('source."GLCO"') }}
),

renamed as (
    select
        {{ erpml.erpml_key('jde', 'trim("GLKCO")', [
            'trim("GLDCT")', 'cast("GLDOC" as bigint)', 'cast("GLDGJ" as bigint)',
            'cast("GLJELN" as bigint)', 'trim("GLLT")', 'trim("GLEXTL")']) }} as gl_entry_key,
        {{ erpml.jde_company('"GLKCO"') }} as document_company,
        trim("GLDCT") as document_type,
        cast("GLDOC" as bigint) as document_number,
        cast("GLJELN" as integer) as journal_line_number,
        {{ erpml.jde_code('"GLEXTL"') }} as line_extension,
        {{ erpml.jde_julian_to_date('"GLDGJ"') }} as gl_date,
        {{ erpml.jde_company('"GLCO"') }} as company_code,
        trim("GLAID") as account_id,
        {{ erpml.jde_code('"GLMCU"') }} as business_unit,
        {{ erpml.jde_code('"GLOBJ"') }} as object_account,
        {{ erpml.jde_code('"GLSUB"') }} as subsidiary,
        trim("GLLT") as ledger_type,
        trim("GLPOST") = 'P' as is_posted,
        cast("GLCTRY" as integer) * 100 + cast("GLFY" as integer) as fiscal_year,
        cast("GLPN" as integer) as fiscal_period,
        ledger_currency_code as currency_code,
        {{ erpml.jde_currency_amount('"GLAA"', 'currencies.currency_decimals',
            'ledger_currency_code') }} as amount,
        trim("GLCRCD") as transaction_currency_code,
        cast("GLAN8" as bigint) as address_number,
        trim("GLEXA") as explanation,
        cast("GLICU" as bigint) as batch_number,
        trim("GLICUT") as batch_type,
        cast("GLREG#" as bigint) as register_number,
        {{ erpml.jde_timestamp('"GLUPMJ"', '"GLUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from with_currency
    left join currencies on currencies.currency_code = with_currency.ledger_currency_code
),

final as (
    select * from renamed
)

select * from final
