{#-
    fct_ar_invoice, version 2 (latest): one row per AR open item (JDE pay item, Vista invoice,
    NetSuite CustInvc) with its state on the as-of date. Logic: int_receivables__invoices_settled.
    v2 renames v1's `invoice_number` to `document_number` (JDE credit memos and other document
    types are documents, not invoices), retypes `days_late` from bigint to integer and adds
    `aging_bucket`.

    A view: its as-of columns move with every extraction (see int_receivables__invoices_settled);
    dbt checks the contract's names and types on it, and the `erpml_contract_not_null` test its
    not_null constraints (no database enforces constraints on a view).
-#}
{{ config(materialized='view') }}
with settled as (
    select * from {{ ref('int_receivables__invoices_settled') }}
),

final as (
    select
        cast(invoice_key as varchar) as invoice_key,
        cast(source_system as varchar) as source_system,
        cast(company_key as varchar) as company_key,
        cast(company_id as varchar) as company_id,
        cast(customer_key as varchar) as customer_key,
        cast(customer_id as varchar) as customer_id,
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
        cast(applied_amount as numeric(38, 6)) as applied_amount,
        cast(open_amount as numeric(38, 6)) as open_amount,
        cast(erp_open_amount as numeric(38, 6)) as erp_open_amount,
        cast(paid_date as date) as paid_date,
        cast(days_late as integer) as days_late,
        cast(status as varchar) as status,
        cast(aging_bucket as varchar) as aging_bucket,
        cast(as_of_date as date) as as_of_date,
        cast(invoice_known_at as timestamp) as invoice_known_at,
        cast(last_changed_at as timestamp) as last_changed_at,
        cast(last_changed_at as timestamp) as known_at
    from settled
)

select * from final
