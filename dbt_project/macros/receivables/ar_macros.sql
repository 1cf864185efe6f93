{#-
    Receivables and payables helpers (same SQL on DuckDB and PostgreSQL).

    ar_days_between(later, earlier): whole days from `earlier` to `later` (dates), as integer.
    ar_month_end(value): the last day of the month of a date, as a date.
    ar_aging_bucket(days): the shared AR aging bucket of an age in days past due
        (fixtures/README.md): `current` (<= 0), `d1_30`, `d31_60`, `d61_90`, `d91_plus`.
    ar_same_currency_amount(amount, transaction_currency, company_currency, where):
        `amount` when the two currencies are equal; otherwise the query fails with
        "foreign-currency amount is not supported: <where> = <currency>" (bad input rule:
        an application in a foreign currency is never converted by a guessed rate).
    ar_payment_tombstones(source_table): the pre-hook of fct_ar_payment deleting the rows
        whose landing row (F03B14, bARTL, previoustransactionlinelink) was deleted since the
        fact's watermark; the key is computed from the raw landing columns exactly as
        int_receivables__payments_unioned computes it from staging.
-#}
{% macro ar_days_between(later, earlier) -%}
    cast(({{ later }}) - ({{ earlier }}) as integer)
{%- endmacro %}

{% macro ar_month_end(value) -%}
    cast(date_trunc('month', {{ value }}) + interval '1 month' - interval '1 day' as date)
{%- endmacro %}

{% macro ar_aging_bucket(days) -%}
    case
        when {{ days }} <= 0 then 'current'
        when {{ days }} <= 30 then 'd1_30'
        when {{ days }} <= 60 then 'd31_60'
        when {{ days }} <= 90 then 'd61_90'
        else 'd91_plus'
    end
{%- endmacro %}

{% macro ar_same_currency_amount(amount, transaction_currency, company_currency, where) -%}
    case
        when {{ transaction_currency }} = {{ company_currency }} then {{ amount }}
        else {{ erpml.erpml_raise(
            "'foreign-currency amount is not supported: " ~ where ~ " = ' || coalesce("
            ~ transaction_currency ~ ", 'NULL') || ' (company currency ' || coalesce("
            ~ company_currency ~ ", 'NULL') || ')'", 'numeric(38, 6)') }}
    end
{%- endmacro %}

{#- Application keys, shared by int_receivables__payments_unioned and the tombstone pre-hooks. -#}
{% macro ar_jde_application_key(company, payment_id, line_number) -%}
    {{ erpml.erpml_key('jde', company, [payment_id, line_number]) }}
{%- endmacro %}

{% macro ar_vista_application_key(company, month, ar_trans, ar_line) -%}
    {{ erpml.erpml_key('vista', company, [month, ar_trans, ar_line]) }}
{%- endmacro %}

{% macro ar_netsuite_application_key(previous_doc, previous_line, next_doc, next_line) -%}
    {{ erpml.erpml_key('netsuite', 'cast(null as varchar)',
        [previous_doc, previous_line, next_doc, next_line]) }}
{%- endmacro %}

{% macro ar_payment_tombstones(source_table) -%}
    {%- if source_table == 'F03B14' -%}
        {{ erpml.erpml_delete_tombstones('payment_application_key', source('jde', 'F03B14'), 'F03B14',
            erpml.ar_jde_application_key(erpml.jde_company('source."RZCO"'),
                'cast(source."RZPYID" as bigint)', 'cast(source."RZRC5" as bigint)')) }}
    {%- elif source_table == 'bARTL' -%}
        {{ erpml.erpml_delete_tombstones('payment_application_key', source('vista', 'bARTL'), 'bARTL',
            erpml.ar_vista_application_key('source."ARCo"', erpml.vista_month('source."Mth"'),
                'source."ARTrans"', 'source."ARLine"')) }}
    {%- elif source_table == 'previoustransactionlinelink' -%}
        {{ erpml.erpml_delete_tombstones('payment_application_key',
            source('netsuite', 'previoustransactionlinelink'), 'previoustransactionlinelink',
            erpml.ar_netsuite_application_key('source."previousdoc"', 'source."previousline"',
                'source."nextdoc"', 'source."nextline"')) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error('ar_payment_tombstones: unknown landing table ' ~ source_table) }}
    {%- endif -%}
{%- endmacro %}
