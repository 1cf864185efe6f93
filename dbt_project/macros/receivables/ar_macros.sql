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

{#- The key of a JDE F03B11 pay item from the raw columns of relation alias `alias`: the
    staging key of stg_jde__f03b11, also computed from landing rows flagged deleted. -#}
{% macro ar_jde_invoice_key(alias) -%}
    {{ erpml.erpml_key('jde', erpml.jde_company(alias ~ '."RPKCO"'), [
        'trim(' ~ alias ~ '."RPDCT")', 'cast(' ~ alias ~ '."RPDOC" as bigint)',
        'trim(' ~ alias ~ '."RPSFX")']) }}
{%- endmacro %}

{#- The key of a JDE F0411 voucher pay item (stg_jde__f0411's), from raw columns as above. -#}
{% macro ar_jde_voucher_key(alias) -%}
    {{ erpml.erpml_key('jde', erpml.jde_company(alias ~ '."RPKCO"'), [
        'trim(' ~ alias ~ '."RPDCT")', 'cast(' ~ alias ~ '."RPDOC" as bigint)',
        'trim(' ~ alias ~ '."RPSFX")', 'cast(' ~ alias ~ '."RPSFXE" as bigint)']) }}
{%- endmacro %}

{#-
    The NetSuite transactions (column `transaction_id`) whose invoice or bill the decoded
    tables (int_receivables__invoices_decoded, int_receivables__payables_decoded) must decode
    again: a landed row (new, changed or flagged deleted) of the transaction, of its
    main line or of that line's primary-book accounting line, newer than the table's watermark
    for that landing table. Read from the landing tables so that deletes count too.
-#}
{% macro ar_netsuite_touched_invoices() -%}
    select "id" as transaction_id from {{ source('netsuite', 'transaction') }}
    where "_erpml_batch_id" > {{ erpml.erpml_watermark('transaction') }}
    union
    select "transaction" from {{ source('netsuite', 'transactionline') }}
    where "id" = 0
        and "_erpml_batch_id" > {{ erpml.erpml_watermark('transaction', '_erpml_line_batch_id') }}
    union
    select "transaction" from {{ source('netsuite', 'transactionaccountingline') }}
    where "transactionline" = 0 and "accountingbook" = 1
        and "_erpml_batch_id" > {{ erpml.erpml_watermark('transaction', '_erpml_accounting_batch_id') }}
{%- endmacro %}

{#-
    A pre-hook of the decoded AR and AP tables: delete their items of landing table
    `source_table` (F03B11, F0411, bARTH, bAPTH, or transaction for all three NetSuite tables) whose landing
    row was landed again or flagged deleted since the watermark; the select inserts again those
    that still qualify.
-#}
{% macro ar_delete_touched_invoices(source_table) -%}
    {%- if not is_incremental() -%}
        select 1
    {%- else -%}
        {%- if source_table == 'F03B11' -%}
            {%- set touched -%}
                select {{ erpml.ar_jde_invoice_key('source') }} from {{ source('jde', 'F03B11') }} as source
                where source."_erpml_batch_id" > {{ erpml.erpml_watermark('F03B11') }}
            {%- endset -%}
        {%- elif source_table == 'F0411' -%}
            {%- set touched -%}
                select {{ erpml.ar_jde_voucher_key('source') }} from {{ source('jde', 'F0411') }} as source
                where source."_erpml_batch_id" > {{ erpml.erpml_watermark('F0411') }}
            {%- endset -%}
        {%- elif source_table == 'bAPTH' -%}
            {%- set touched -%}
                select {{ erpml.erpml_key('vista', 'source."APCo"',
                    [erpml.vista_month('source."Mth"'), 'source."APTrans"']) }}
                from {{ source('vista', 'bAPTH') }} as source
                where source."_erpml_batch_id" > {{ erpml.erpml_watermark('bAPTH') }}
            {%- endset -%}
        {%- elif source_table == 'bARTH' -%}
            {%- set touched -%}
                select {{ erpml.erpml_key('vista', 'source."ARCo"',
                    [erpml.vista_month('source."Mth"'), 'source."ARTrans"']) }}
                from {{ source('vista', 'bARTH') }} as source
                where source."_erpml_batch_id" > {{ erpml.erpml_watermark('bARTH') }}
            {%- endset -%}
        {%- elif source_table == 'transaction' -%}
            {%- set touched -%}
                select cast(transaction_id as varchar) from ({{ erpml.ar_netsuite_touched_invoices() }}) as t
            {%- endset -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error('ar_delete_touched_invoices: unknown landing table ' ~ source_table) }}
        {%- endif -%}
        delete from {{ this }} where source_table = '{{ source_table }}' and _source_id in ({{ touched }})
    {%- endif -%}
{%- endmacro %}

{#-
    The CTEs `ns_transactions` (the NetSuite transactions of `transaction_type`, CustInvc or
    VendBill) and `ns_main_lines` (their main lines, line 0, with the primary-book accounting
    line's amount, amount unpaid and batch) of the decoded AR and AP tables; when incremental,
    only the transactions `ar_netsuite_touched_invoices` names (CTE `ns_touched`). Each CTE ends
    with a comma.
-#}
{% macro ar_netsuite_documents(transaction_type) -%}
{%- if is_incremental() %}
ns_touched as (
    {{ erpml.ar_netsuite_touched_invoices() }}
),
{%- endif %}

ns_transactions as (
    select * from {{ ref('stg_netsuite__transaction') }}
    where transaction_type = '{{ transaction_type }}'
    {%- if is_incremental() %}
        and transaction_id in (select transaction_id from ns_touched)
    {%- endif %}
),

ns_main_lines as (
    select
        tl.transaction_id,
        tl.subsidiary_id,
        tl.erpml_batch_id as line_batch_id,
        tal.amount,
        tal.amountunpaid,
        tal.erpml_batch_id as accounting_batch_id
    from {{ ref('stg_netsuite__transactionline') }} as tl
    left join {{ ref('stg_netsuite__transactionaccountingline') }} as tal
        on tal.transaction_id = tl.transaction_id
        and tal.transaction_line_id = tl.transaction_line_id
        and tal.accounting_book_id = 1
    where tl.transaction_line_id = 0
    {%- if is_incremental() %}
        and tl.transaction_id in (select transaction_id from ns_touched)
    {%- endif %}
),
{%- endmacro %}

{#-
    The pre-hook of int_receivables__invoices_state: delete the items that are no longer
    decoded (their landing row was deleted or no longer qualifies as an AR item).
-#}
{% macro ar_delete_gone_invoices(decoded) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as s
        where not exists (select 1 from {{ decoded }} as d where d.invoice_key = s.invoice_key)
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
