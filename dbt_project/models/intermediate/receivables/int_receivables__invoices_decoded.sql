{#-
    int_receivables__invoices_decoded: the AR open items of JDE (F03B11), Vista (bARTH type I)
    and NetSuite (CustInvc: transaction, its main line and that line's primary-book accounting
    line) decoded once, without any dimension (customer companies, company and subsidiary
    currencies): int_receivables__invoices_unioned joins those to this table on every build.

    Incremental by landing batch (macros/core/erpml_incremental.sql): a changed build decodes only
    the items whose landing rows are newer than this table's watermarks, instead of decoding every
    invoice again for fct_ar_invoice. `_source_id` names the landing row of an item (JDE and
    Vista: the invoice key; NetSuite: the transaction id); the pre-hooks first delete every item
    whose landing row was re-landed or flagged deleted since the watermark (an item that no
    longer qualifies, e.g. a NetSuite main line deleted, is gone; one that still does is
    selected again). NetSuite rows keep the batch of each of their three landing rows, each with
    its own watermark; one pre-hook deletes the NetSuite items touched through any of the three,
    with the watermarks read before it deletes (as the select reads them).
-#}
{{ config(
    materialized='incremental',
    unique_key='invoice_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=[
        "{{ erpml.ar_delete_touched_invoices('F03B11') }}",
        "{{ erpml.ar_delete_touched_invoices('bARTH') }}",
        "{{ erpml.ar_delete_touched_invoices('transaction') }}",
    ],
) }}
-- depends_on: {{ source('jde', 'F03B11') }}
-- depends_on: {{ source('vista', 'bARTH') }}
-- depends_on: {{ source('netsuite', 'transaction') }}
-- depends_on: {{ source('netsuite', 'transactionline') }}
-- depends_on: {{ source('netsuite', 'transactionaccountingline') }}
with jde as (
    select
        i.ar_invoice_key as invoice_key,
        'jde' as source_system,
        'F03B11' as source_table,
        i.ar_invoice_key as _source_id,
        i.company_code as company_id,
        i.customer_number,
        cast(i.customer_number as varchar) as customer_id,
        cast(null as varchar) as customer_key,
        cast(null as bigint) as entity_id,
        cast(null as bigint) as currency_id,
        cast(i.document_number as varchar) as document_number,
        i.document_type,
        i.pay_item,
        case i.document_type
            when 'RI' then 'invoice'
            when 'RM' then 'credit_memo'
            else 'other'
        end as document_kind,
        i.invoice_date,
        i.due_date,
        i.transaction_currency_code,
        i.currency_code,
        cast({{ erpml.ar_same_currency_amount('i.gross_amount', 'i.transaction_currency_code',
            'i.currency_code', erpml.erpml_where('RPCRCD')) }} as numeric(38, 6))
            as gross_amount_transaction,
        cast(i.gross_amount as numeric(38, 6)) as gross_amount,
        cast(i.open_amount as numeric(38, 6)) as erp_open_amount,
        cast(i.invoice_date as timestamp) as invoice_known_at,
        i.known_at as last_changed_at,
        i._erpml_batch_id,
        cast(null as bigint) as _erpml_line_batch_id,
        cast(null as bigint) as _erpml_accounting_batch_id
    from {{ ref('stg_jde__f03b11') }} as i
    where {{ erpml.erpml_after_watermark('F03B11', 'i._erpml_batch_id') }}
),

vista_invoices as (
    select * from {{ ref('stg_vista__barth') }}
    where {{ erpml.erpml_after_watermark('bARTH', 'erpml_batch_id') }}
),

vista as (
    select
        {{ erpml.erpml_key('vista', 'h.company', ['h.month', 'h.ar_trans']) }} as invoice_key,
        'vista' as source_system,
        'bARTH' as source_table,
        {{ erpml.erpml_key('vista', 'h.company', ['h.month', 'h.ar_trans']) }} as _source_id,
        cast(h.company as varchar) as company_id,
        cast(null as bigint) as customer_number,
        cast(h.customer as varchar) as customer_id,
        {{ erpml.erpml_key('vista', 'h.customer_group', ['h.customer']) }} as customer_key,
        cast(null as bigint) as entity_id,
        cast(null as bigint) as currency_id,
        coalesce(h.invoice, cast(h.ar_trans as varchar)) as document_number,
        h.ar_trans_type as document_type,
        cast(null as varchar) as pay_item,
        'invoice' as document_kind,
        h.trans_date as invoice_date,
        h.due_date,
        cast(null as varchar) as transaction_currency_code,
        cast(null as varchar) as currency_code,
        cast(h.invoiced as numeric(38, 6)) as gross_amount_transaction,
        cast(h.invoiced as numeric(38, 6)) as gross_amount,
        cast(h.amount_due as numeric(38, 6)) as erp_open_amount,
        h.known_at as invoice_known_at,
        cast(null as timestamp) as last_changed_at,
        h.erpml_batch_id as _erpml_batch_id,
        cast(null as bigint) as _erpml_line_batch_id,
        cast(null as bigint) as _erpml_accounting_batch_id
    from vista_invoices as h
    where h.ar_trans_type = 'I'
),

{{ erpml.ar_netsuite_documents('CustInvc') }}

netsuite as (
    select
        {{ erpml.erpml_key('netsuite', 'ml.subsidiary_id', ['t.transaction_id']) }} as invoice_key,
        'netsuite' as source_system,
        'transaction' as source_table,
        cast(t.transaction_id as varchar) as _source_id,
        cast(ml.subsidiary_id as varchar) as company_id,
        cast(null as bigint) as customer_number,
        cast(t.entity_id as varchar) as customer_id,
        cast(null as varchar) as customer_key,
        cast(t.entity_id as bigint) as entity_id,
        cast(t.currency_id as bigint) as currency_id,
        t.tranid as document_number,
        t.transaction_type as document_type,
        cast(null as varchar) as pay_item,
        'invoice' as document_kind,
        t.trandate as invoice_date,
        t.duedate as due_date,
        cast(null as varchar) as transaction_currency_code,
        cast(null as varchar) as currency_code,
        cast(t.foreigntotal as numeric(38, 6)) as gross_amount_transaction,
        cast(ml.amount as numeric(38, 6)) as gross_amount,
        cast(ml.amountunpaid as numeric(38, 6)) as erp_open_amount,
        cast(t.createddate as timestamp) as invoice_known_at,
        t.known_at as last_changed_at,
        t.erpml_batch_id as _erpml_batch_id,
        ml.line_batch_id as _erpml_line_batch_id,
        ml.accounting_batch_id as _erpml_accounting_batch_id
    from ns_transactions as t
    inner join ns_main_lines as ml on ml.transaction_id = t.transaction_id
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

final as (
    select
        cast(invoice_key as varchar) as invoice_key,
        cast(source_system as varchar) as source_system,
        cast(source_table as varchar) as source_table,
        cast(_source_id as varchar) as _source_id,
        cast(company_id as varchar) as company_id,
        cast(customer_number as bigint) as customer_number,
        cast(customer_id as varchar) as customer_id,
        cast(customer_key as varchar) as customer_key,
        cast(entity_id as bigint) as entity_id,
        cast(currency_id as bigint) as currency_id,
        cast(document_number as varchar) as document_number,
        cast(document_type as varchar) as document_type,
        cast(pay_item as varchar) as pay_item,
        cast(document_kind as varchar) as document_kind,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        cast(transaction_currency_code as varchar) as transaction_currency_code,
        cast(currency_code as varchar) as currency_code,
        cast(gross_amount_transaction as numeric(38, 6)) as gross_amount_transaction,
        cast(gross_amount as numeric(38, 6)) as gross_amount,
        cast(erp_open_amount as numeric(38, 6)) as erp_open_amount,
        cast(invoice_known_at as timestamp) as invoice_known_at,
        cast(last_changed_at as timestamp) as last_changed_at,
        cast(_erpml_batch_id as bigint) as _erpml_batch_id,
        cast(_erpml_line_batch_id as bigint) as _erpml_line_batch_id,
        cast(_erpml_accounting_batch_id as bigint) as _erpml_accounting_batch_id
    from unioned
)

select * from final
