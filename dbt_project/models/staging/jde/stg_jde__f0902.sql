{#- Account balances per account, fiscal year and ledger: balance forward and net postings of
    periods 1..14, in the row's currency GBCRCD. -#}
with source as (
    select * from {{ source('jde', 'F0902') }}
    where not _erpml_deleted
),

currencies as (
    select currency_code, currency_decimals from {{ ref('stg_jde__f0013') }}
),

renamed as (
    select
        trim(source."GBAID") as account_id,
        cast(source."GBCTRY" as integer) * 100 + cast(source."GBFY" as integer) as fiscal_year,
        {{ erpml.jde_code('source."GBFQ"') }} as fiscal_quarter,
        trim(source."GBLT") as ledger_type,
        {{ erpml.jde_code('source."GBSBL"') }} as subledger,
        {{ erpml.jde_code('source."GBSBLT"') }} as subledger_type,
        {{ erpml.jde_company('source."GBCO"') }} as company_code,
        {{ erpml.jde_code('source."GBMCU"') }} as business_unit,
        {{ erpml.jde_code('source."GBOBJ"') }} as object_account,
        {{ erpml.jde_code('source."GBSUB"') }} as subsidiary,
        trim(source."GBCRCD") as currency_code,
        {{ erpml.jde_currency_amount('source."GBAPYC"', 'currencies.currency_decimals',
            'source."GBCRCD"') }} as balance_forward,
        {%- for p in range(1, 15) %}
        {{ erpml.jde_currency_amount('source."GBAN%02d"' % p, 'currencies.currency_decimals',
            'source."GBCRCD"') }} as net_posting_{{ '%02d' % p }},
        {%- endfor %}
        {{ erpml.jde_timestamp('source."GBUPMJ"', 'source."GBUPMT"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    left join currencies on currencies.currency_code = trim(source."GBCRCD")
),

final as (
    select * from renamed
)

select * from final
