{#-
    int_receivables__payables_decoded: the AP open items of JDE (F0411), Vista (bAPTH) and
    NetSuite (VendBill: transaction, its main line and that line's primary-book accounting line)
    decoded once, incrementally by landing batch, as int_receivables__invoices_decoded does for
    AR (same watermarks, `_source_id` and pre-hooks). fct_ap_invoice adds on every build what
    depends on other tables: Vista line totals (bAPTD), NetSuite bill payments, vendor keys of
    NetSuite and company and subsidiary currencies.
-#}
{{ config(
    materialized='incremental',
    unique_key='ap_invoice_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=[
        "{{ erpml.ar_delete_touched_invoices('F0411') }}",
        "{{ erpml.ar_delete_touched_invoices('bAPTH') }}",
        "{{ erpml.ar_delete_touched_invoices('transaction') }}",
    ],
) }}
-- depends_on: {{ source('jde', 'F0411') }}
-- depends_on: {{ source('vista', 'bAPTH') }}
-- depends_on: {{ source('netsuite', 'transaction') }}
-- depends_on: {{ source('netsuite', 'transactionline') }}
-- depends_on: {{ source('netsuite', 'transactionaccountingline') }}
with jde as (
    select
        v.ap_invoice_key,
        'jde' as source_system,
        'F0411' as source_table,
        v.ap_invoice_key as _source_id,
        v.company_code as company_id,
        cast(v.supplier_number as varchar) as vendor_id,
        {{ erpml.erpml_key('jde', "'00000'", 'v.supplier_number') }} as vendor_key,
        cast(null as bigint) as entity_id,
        cast(null as bigint) as currency_id,
        cast(null as date) as vista_month,
        cast(null as bigint) as vista_trans,
        cast(v.document_number as varchar) as document_number,
        v.document_type,
        v.pay_item || case when v.pay_item_extension <> 0
            then '.' || cast(v.pay_item_extension as varchar) else '' end as pay_item,
        v.invoice_date,
        v.due_date,
        v.transaction_currency_code,
        v.currency_code,
        cast({{ erpml.ar_same_currency_amount('v.gross_amount', 'v.transaction_currency_code',
            'v.currency_code', erpml.erpml_where('RPCRCD')) }} as numeric(38, 6))
            as gross_amount_transaction,
        cast(v.gross_amount as numeric(38, 6)) as gross_amount,
        cast(v.open_amount as numeric(38, 6)) as open_amount,
        case when v.open_amount = 0 then cast(v.known_at as date) end as paid_date,
        cast(v.invoice_date as timestamp) as invoice_known_at,
        v.known_at as last_changed_at,
        v._erpml_batch_id,
        cast(null as bigint) as _erpml_line_batch_id,
        cast(null as bigint) as _erpml_accounting_batch_id
    from {{ ref('stg_jde__f0411') }} as v
    where {{ erpml.erpml_after_watermark('F0411', 'v._erpml_batch_id') }}
),

vista as (
    select
        {{ erpml.erpml_key('vista', 'h.company', ['h.month', 'h.ap_trans']) }} as ap_invoice_key,
        'vista' as source_system,
        'bAPTH' as source_table,
        {{ erpml.erpml_key('vista', 'h.company', ['h.month', 'h.ap_trans']) }} as _source_id,
        cast(h.company as varchar) as company_id,
        cast(h.vendor as varchar) as vendor_id,
        {{ erpml.erpml_key('vista', 'h.vendor_group', ['h.vendor']) }} as vendor_key,
        cast(null as bigint) as entity_id,
        cast(null as bigint) as currency_id,
        h.month as vista_month,
        cast(h.ap_trans as bigint) as vista_trans,
        coalesce(h.ap_ref, cast(h.ap_trans as varchar)) as document_number,
        'AP' as document_type,
        cast(null as varchar) as pay_item,
        h.inv_date as invoice_date,
        h.due_date,
        cast(null as varchar) as transaction_currency_code,
        cast(null as varchar) as currency_code,
        cast(h.inv_total as numeric(38, 6)) as gross_amount_transaction,
        cast(h.inv_total as numeric(38, 6)) as gross_amount,
        cast(null as numeric(38, 6)) as open_amount,
        cast(null as date) as paid_date,
        h.known_at as invoice_known_at,
        cast(null as timestamp) as last_changed_at,
        h.erpml_batch_id as _erpml_batch_id,
        cast(null as bigint) as _erpml_line_batch_id,
        cast(null as bigint) as _erpml_accounting_batch_id
    from {{ ref('stg_vista__bapth') }} as h
    where {{ erpml.erpml_after_watermark('bAPTH', 'h.erpml_batch_id') }}
),

{{ erpml.ar_netsuite_documents('VendBill') }}

netsuite as (
    select
        {{ erpml.erpml_key('netsuite', 'ml.subsidiary_id', ['t.transaction_id']) }}
            as ap_invoice_key,
        'netsuite' as source_system,
        'transaction' as source_table,
        cast(t.transaction_id as varchar) as _source_id,
        cast(ml.subsidiary_id as varchar) as company_id,
        cast(t.entity_id as varchar) as vendor_id,
        cast(null as varchar) as vendor_key,
        cast(t.entity_id as bigint) as entity_id,
        cast(t.currency_id as bigint) as currency_id,
        cast(null as date) as vista_month,
        cast(null as bigint) as vista_trans,
        t.tranid as document_number,
        t.transaction_type as document_type,
        cast(null as varchar) as pay_item,
        t.trandate as invoice_date,
        t.duedate as due_date,
        cast(null as varchar) as transaction_currency_code,
        cast(null as varchar) as currency_code,
        cast(t.foreigntotal as numeric(38, 6)) as gross_amount_transaction,
        cast(-ml.amount as numeric(38, 6)) as gross_amount,
        cast(ml.amountunpaid as numeric(38, 6)) as open_amount,
        cast(null as date) as paid_date,
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
        cast(ap_invoice_key as varchar) as ap_invoice_key,
        cast(source_system as varchar) as source_system,
        cast(source_table as varchar) as source_table,
        cast(_source_id as varchar) as _source_id,
        cast(company_id as varchar) as company_id,
        cast(vendor_id as varchar) as vendor_id,
        cast(vendor_key as varchar) as vendor_key,
        cast(entity_id as bigint) as entity_id,
        cast(currency_id as bigint) as currency_id,
        cast(vista_month as date) as vista_month,
        cast(vista_trans as bigint) as vista_trans,
        cast(document_number as varchar) as document_number,
        cast(document_type as varchar) as document_type,
        cast(pay_item as varchar) as pay_item,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        cast(transaction_currency_code as varchar) as transaction_currency_code,
        cast(currency_code as varchar) as currency_code,
        cast(gross_amount_transaction as numeric(38, 6)) as gross_amount_transaction,
        cast(gross_amount as numeric(38, 6)) as gross_amount,
        cast(open_amount as numeric(38, 6)) as open_amount,
        cast(paid_date as date) as paid_date,
        cast(invoice_known_at as timestamp) as invoice_known_at,
        cast(last_changed_at as timestamp) as last_changed_at,
        cast(_erpml_batch_id as bigint) as _erpml_batch_id,
        cast(_erpml_line_batch_id as bigint) as _erpml_line_batch_id,
        cast(_erpml_accounting_batch_id as bigint) as _erpml_accounting_batch_id
    from unioned
)

select * from final
