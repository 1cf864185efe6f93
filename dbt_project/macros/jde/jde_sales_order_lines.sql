{#-
    jde_sales_order_lines(relation): the staging select of F4211 and F42119 (identical layouts).
    Quantities and prices by the data-dictionary decimals; the extended price SDAEXP in the
    company currency (F0010 of SDCO) by its F0013 decimals. `known_at` from SDUPMJ + SDTDAY.
    Foreign-currency lines (SDCRMD 'F'): `foreign_unit_price` SDFUP and `foreign_extended_amount`
    SDFEA in the transaction currency SDCRCD (`transaction_currency_code`, else the company's);
    NULL on domestic lines, whose transaction currency is the company currency.
-#}
{% macro jde_sales_order_lines(relation) -%}
with source as (
    select * from {{ relation }}
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
        {{ erpml.erpml_key('jde', erpml.jde_company('source."SDKCOO"'), [
            'trim(source."SDDCTO")', 'cast(source."SDDOCO" as bigint)',
            'cast(source."SDLNID" as bigint)']) }} as sales_order_line_key,
        {{ erpml.jde_company('source."SDKCOO"') }} as order_company,
        trim(source."SDDCTO") as order_type,
        cast(source."SDDOCO" as bigint) as order_number,
        {{ erpml.jde_dd_decimals('source."SDLNID"', 'line_number', 3) }} as line_number,
        {{ erpml.jde_company('source."SDCO"') }} as company_code,
        {{ erpml.jde_code('source."SDMCU"') }} as branch_plant,
        cast(source."SDAN8" as bigint) as customer_number,
        cast(source."SDITM" as bigint) as item_number,
        trim(source."SDLITM") as item_code,
        trim(source."SDNXTR") as next_status,
        trim(source."SDLTTR") as last_status,
        last_statuses.description as last_status_description,
        trim(source."SDLTTR") = '980' as is_cancelled,
        {{ erpml.jde_code('source."SDUOM"') }} as unit_of_measure,
        {{ erpml.jde_dd_decimals('source."SDUORG"', 'quantity') }} as quantity,
        {{ erpml.jde_dd_decimals('source."SDUPRC"', 'unit_price') }} as unit_price,
        companies.currency_code,
        {{ erpml.jde_currency_amount('source."SDAEXP"', 'currencies.currency_decimals',
            'companies.currency_code') }} as extended_amount,
        trim(source."SDCRMD") = 'F' as is_foreign_currency,
        coalesce({{ erpml.jde_code('source."SDCRCD"') }}, companies.currency_code) as transaction_currency_code,
        case when trim(source."SDCRMD") = 'F'
            then {{ erpml.jde_dd_decimals('source."SDFUP"', 'unit_price') }}
        end as foreign_unit_price,
        case when trim(source."SDCRMD") = 'F'
            then {{ erpml.jde_currency_amount('source."SDFEA"',
                'transaction_currencies.currency_decimals', 'source."SDCRCD"') }}
        end as foreign_extended_amount,
        {{ erpml.jde_julian_to_date('source."SDTRDJ"') }} as order_date,
        {{ erpml.jde_julian_to_date('source."SDDRQJ"') }} as requested_date,
        {{ erpml.jde_julian_to_date('source."SDADDJ"') }} as shipped_date,
        {{ erpml.jde_timestamp('source."SDUPMJ"', 'source."SDTDAY"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    left join companies on companies.company_code = {{ erpml.jde_company('source."SDCO"') }}
    left join currencies on currencies.currency_code = companies.currency_code
    left join currencies as transaction_currencies
        on transaction_currencies.currency_code = {{ erpml.jde_code('source."SDCRCD"') }}
    {{ erpml.jde_udc_join('40', 'AT', 'source."SDLTTR"', 'last_statuses') }}
),

final as (
    select * from renamed
)

select * from final
{%- endmacro %}
