{#-
    fct_ar_invoice, version 1 (deprecated, see _receivables__models.yml): the first contract.
    The same rows as v2, selected from it rather than computed again: `invoice_number` (v2:
    `document_number`), `days_late` as bigint (v2: integer) and without `aging_bucket`.
    A view over v2: its consumers read v2's rows through v1's contract (names and types, which
    dbt checks on views too), and a build does not copy every invoice a second time; the
    `erpml_contract_not_null` tests check the not_null constraints of both versions.
-#}
{{ config(materialized='view') }}
with invoices as (
    select * from {{ ref('fct_ar_invoice', v=2) }}
),

final as (
    select
        invoice_key,
        source_system,
        company_key,
        company_id,
        customer_key,
        customer_id,
        document_number as invoice_number,
        document_type,
        pay_item,
        document_kind,
        invoice_date,
        due_date,
        transaction_currency_code,
        currency_code,
        gross_amount_transaction,
        gross_amount,
        applied_amount,
        open_amount,
        erp_open_amount,
        paid_date,
        cast(days_late as bigint) as days_late,
        status,
        as_of_date,
        invoice_known_at,
        last_changed_at,
        known_at
    from invoices
)

select * from final
