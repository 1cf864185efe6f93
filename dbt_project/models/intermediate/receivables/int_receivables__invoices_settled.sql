{#-
    int_receivables__invoices_settled: every AR open item with its applications summed and its
    state on the as-of date of its source system (int_receivables__as_of). Both versions of
    fct_ar_invoice are projections of this model.

    - applied_amount: sum of all applications (company currency); open_amount = gross - applied.
    - paid_date: the last date on which the running open amount (gross less applications up to
      and including that date) went from not zero to zero; NULL while the open amount is not
      zero. An item whose gross is zero is paid on its invoice date.
    - days_late: paid items: paid_date - due_date (negative when paid early); open items past
      due on the as-of date: as_of_date - due_date (a lower bound, still growing); open items
      not yet due: NULL.
    - status: `paid` (open amount zero), `past_due` (open, as-of date after the due date),
      `open` (open, not yet due).
    - aging_bucket: the shared AR aging bucket of as_of_date - due_date for open items; NULL
      for paid items.
    - last_changed_at: the source audit stamp (JDE UPMJ/UPMT, NetSuite lastmodifieddate); Vista
      has none: the later of the invoice date and the latest receipt applied (a proxy).
-#}
with invoices as (
    select * from {{ ref('int_receivables__invoices_unioned') }}
),

payments as (
    {#- the applications as fct_ar_payment holds them (its rows are int_receivables__payments_unioned's,
        merged by landing batch): read from a table, not decoded from the landing again -#}
    select invoice_key, payment_date, applied_amount
    from {{ ref('fct_ar_payment') }}
),

as_of as (
    select source_system, as_of_date from {{ ref('int_receivables__as_of') }}
),

daily as (
    select invoice_key, payment_date, sum(applied_amount) as applied_amount
    from payments
    group by invoice_key, payment_date
),

running as (
    select
        d.invoice_key,
        d.payment_date,
        i.gross_amount - sum(d.applied_amount) over (
            partition by d.invoice_key order by d.payment_date
            rows between unbounded preceding and current row
        ) as open_after,
        i.gross_amount - sum(d.applied_amount) over (
            partition by d.invoice_key order by d.payment_date
            rows between unbounded preceding and current row
        ) + d.applied_amount as open_before
    from daily as d
    inner join invoices as i on i.invoice_key = d.invoice_key
),

applied as (
    select
        invoice_key,
        max(case when open_after = 0 and open_before <> 0 then payment_date end) as zero_date,
        max(payment_date) as last_payment_date
    from running
    group by invoice_key
),

totals as (
    select invoice_key, sum(applied_amount) as applied_amount, count(*) as application_count
    from payments
    group by invoice_key
),

settled as (
    select
        i.*,
        a.as_of_date,
        coalesce(t.applied_amount, 0) as applied_amount,
        i.gross_amount - coalesce(t.applied_amount, 0) as open_amount,
        coalesce(t.application_count, 0) as application_count,
        p.zero_date,
        p.last_payment_date
    from invoices as i
    left join totals as t on t.invoice_key = i.invoice_key
    left join applied as p on p.invoice_key = i.invoice_key
    left join as_of as a on a.source_system = i.source_system
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
        case
            when open_amount = 0
                then {{ erpml.ar_days_between(
                    'case when gross_amount = 0 and zero_date is null then invoice_date else zero_date end',
                    'due_date') }}
            when as_of_date > due_date then {{ erpml.ar_days_between('as_of_date', 'due_date') }}
        end as days_late,
        case
            when open_amount = 0 then 'paid'
            when as_of_date > due_date then 'past_due'
            else 'open'
        end as status,
        case
            when open_amount <> 0
                then {{ erpml.ar_aging_bucket(erpml.ar_days_between('as_of_date', 'due_date')) }}
        end as aging_bucket,
        as_of_date,
        invoice_known_at,
        coalesce(
            last_changed_at,
            cast(greatest(invoice_date, last_payment_date) as timestamp)
        ) as last_changed_at
    from settled
)

select * from final
