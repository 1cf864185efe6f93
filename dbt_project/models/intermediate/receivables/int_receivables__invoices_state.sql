{#-
    int_receivables__invoices_state: every AR open item with its applications settled, i.e.
    everything about it that does not depend on the as-of date (applied and open amounts, paid
    date, last change); int_receivables__invoices_settled adds the as-of columns (days late of
    open items, status, aging bucket) when it is read, so the items are not all rewritten
    because the as-of date moved.

    - applied_amount: sum of all applications (company currency); open_amount = gross - applied.
    - paid_date: the last date on which the running open amount (gross less applications up to
      and including that date) went from not zero to zero; NULL while the open amount is not
      zero. An item whose gross is zero is paid on its invoice date.
    - last_changed_at: the source audit stamp (JDE UPMJ/UPMT, NetSuite lastmodifieddate); Vista
      has none: the later of the invoice date and the latest receipt applied (a proxy).

    Incremental by fingerprint: each item keeps a 64-bit hash of its row in
    int_receivables__invoices_unioned (`_invoice_hash`, so a dimension change such as a
    customer's company or a currency reaches it) and the count and hash sum of its applications
    in fct_ar_payment (`application_count`, `_payments_hash`: a new, changed, moved or deleted
    application changes them). A build settles again only the items whose fingerprints differ
    from the stored ones (new items included) and merges them by invoice_key; the pre-hook first
    deletes the items that are no longer in int_receivables__invoices_decoded. Two different
    inputs give the same fingerprint only by a hash collision (about 2^-64 per changed item).
-#}
{{ config(
    materialized='incremental',
    unique_key='invoice_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=["{{ erpml.ar_delete_gone_invoices(ref('int_receivables__invoices_decoded')) }}"],
) }}
{%- set invoice_columns = [
    'invoice_key', 'source_system', 'company_key', 'company_id', 'customer_key', 'customer_id',
    'document_number', 'document_type', 'pay_item', 'document_kind', 'invoice_date', 'due_date',
    'transaction_currency_code', 'currency_code', 'gross_amount_transaction', 'gross_amount',
    'erp_open_amount', 'invoice_known_at', 'last_changed_at',
] %}
with invoices_all as (
    select
        {{ invoice_columns | join(',\n        ') }},
        {{ erpml.erpml_row_hash(invoice_columns) }} as _invoice_hash
    from {{ ref('int_receivables__invoices_unioned') }}
),

payments_all as (
    {#- the applications as fct_ar_payment holds them (merged by landing batch) -#}
    select
        invoice_key,
        payment_date,
        applied_amount,
        {{ erpml.erpml_row_hash(['payment_application_key', 'payment_date', 'applied_amount']) }}
            as application_hash
    from {{ ref('fct_ar_payment') }}
),

prints_all as (
    {#- per item: its fingerprint and its applied total, in one aggregate -#}
    select
        invoice_key,
        count(*) as n,
        sum(application_hash) as h,
        sum(applied_amount) as applied_amount
    from payments_all
    group by invoice_key
),

{% if is_incremental() %}
touched as (
    select i.invoice_key
    from invoices_all as i
    left join prints_all as p on p.invoice_key = i.invoice_key
    left join {{ this }} as s on s.invoice_key = i.invoice_key
    where s.invoice_key is null
        or s._invoice_hash <> i._invoice_hash
        or s.application_count <> coalesce(p.n, 0)
        or s._payments_hash <> coalesce(p.h, 0)
),

invoices as (
    select * from invoices_all where invoice_key in (select invoice_key from touched)
),

payments as (
    select * from payments_all where invoice_key in (select invoice_key from touched)
),

prints as (
    select * from prints_all where invoice_key in (select invoice_key from touched)
),
{% else %}
invoices as (select * from invoices_all),

payments as (select * from payments_all),

prints as (select * from prints_all),
{% endif %}

daily as (
    select invoice_key, payment_date, sum(applied_amount) as applied_amount
    from payments
    group by invoice_key, payment_date
),

running as (
    select
        d.invoice_key,
        d.payment_date,
        d.applied_amount,
        i.gross_amount - sum(d.applied_amount) over (
            partition by d.invoice_key order by d.payment_date
            rows between unbounded preceding and current row
        ) as open_after
    from daily as d
    inner join invoices as i on i.invoice_key = d.invoice_key
),

applied as (
    select
        invoice_key,
        {#- the open amount went from not zero (before the day's applications) to zero -#}
        max(case when open_after = 0 and open_after + applied_amount <> 0 then payment_date end)
            as zero_date,
        max(payment_date) as last_payment_date
    from running
    group by invoice_key
),

settled as (
    select
        i.*,
        coalesce(f.applied_amount, 0) as applied_amount,
        i.gross_amount - coalesce(f.applied_amount, 0) as open_amount,
        coalesce(f.n, 0) as application_count,
        coalesce(f.h, 0) as payments_hash,
        a.zero_date,
        a.last_payment_date
    from invoices as i
    left join applied as a on a.invoice_key = i.invoice_key
    left join prints as f on f.invoice_key = i.invoice_key
),

final as (
    select
        invoice_key,
        source_system,
        company_key,
        company_id,
        customer_key,
        customer_id,
        document_number,
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
        application_count,
        case
            when open_amount <> 0 then null
            when gross_amount = 0 and zero_date is null then invoice_date
            else zero_date
        end as paid_date,
        invoice_known_at,
        coalesce(
            last_changed_at,
            cast(greatest(invoice_date, last_payment_date) as timestamp)
        ) as last_changed_at,
        _invoice_hash,
        payments_hash as _payments_hash
    from settled
)

select * from final
