{#-
    fct_ar_payment: one row per application of a payment (or NetSuite credit memo) to an AR open
    item of fct_ar_invoice; see int_receivables__payments_unioned for the grain per ERP.

    Incremental by landing batch (macros/core/erpml_incremental.sql): rows of each landing table
    (F03B14, bARTL, previoustransactionlinelink) landed after the fact's watermark for that
    table are merged by payment_application_key; landing rows flagged deleted since the
    watermark delete their fact row first (pre-hooks).
-#}
{{ config(
    materialized='incremental',
    meta={'erpml_batch_column': '_erpml_batch_id'},
    unique_key='payment_application_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=[
        "{{ erpml.ar_payment_tombstones('F03B14') }}",
        "{{ erpml.ar_payment_tombstones('bARTL') }}",
        "{{ erpml.ar_payment_tombstones('previoustransactionlinelink') }}",
    ],
) }}

with payments as (
    select * from {{ ref('int_receivables__payments_unioned') }}
),

final as (
    select
        cast(payment_application_key as varchar) as payment_application_key,
        cast(payment_key as varchar) as payment_key,
        cast(invoice_key as varchar) as invoice_key,
        cast(source_system as varchar) as source_system,
        cast(company_key as varchar) as company_key,
        cast(company_id as varchar) as company_id,
        cast(customer_id as varchar) as customer_id,
        cast(payment_type as varchar) as payment_type,
        cast(payment_number as varchar) as payment_number,
        cast(payment_date as date) as payment_date,
        cast(transaction_currency_code as varchar) as transaction_currency_code,
        cast(currency_code as varchar) as currency_code,
        cast(applied_amount_transaction as numeric(38, 6)) as applied_amount_transaction,
        cast(applied_amount as numeric(38, 6)) as applied_amount,
        cast(known_at as timestamp) as known_at,
        cast(source_table as varchar) as source_table,
        cast(_erpml_batch_id as bigint) as _erpml_batch_id
    from payments
    where (source_table = 'F03B14' and {{ erpml.erpml_after_watermark('F03B14') }})
        or (source_table = 'bARTL' and {{ erpml.erpml_after_watermark('bARTL') }})
        or (source_table = 'previoustransactionlinelink'
            and {{ erpml.erpml_after_watermark('previoustransactionlinelink') }})
)

select * from final
