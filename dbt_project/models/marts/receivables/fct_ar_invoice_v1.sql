{#-
    fct_ar_invoice, version 1 (deprecated, see _receivables__models.yml): the first contract.
    The same rows as v2 with `invoice_number` (v2: `document_number`), `days_late` as bigint
    (v2: integer) and without `aging_bucket`.
-#}
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
        cast(document_number as varchar) as invoice_number,
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
        cast(days_late as bigint) as days_late,
        cast(status as varchar) as status,
        cast(as_of_date as date) as as_of_date,
        cast(invoice_known_at as timestamp) as invoice_known_at,
        cast(last_changed_at as timestamp) as last_changed_at,
        cast(last_changed_at as timestamp) as known_at
    from settled
)

select * from final
