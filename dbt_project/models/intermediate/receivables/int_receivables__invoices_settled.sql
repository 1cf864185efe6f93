{#-
    int_receivables__invoices_settled: every AR open item with its applications settled
    (int_receivables__invoices_state) and its state on the as-of date of its source system
    (int_receivables__as_of). Both versions of fct_ar_invoice are projections of this view.

    A view: the as-of date moves with every extraction and with it the state of every open
    item, so these columns are computed when the items are read, from a table (the state) that
    a build merges only where items or their applications changed.

    - days_late: paid items: paid_date - due_date (negative when paid early); open items past
      due on the as-of date: as_of_date - due_date (a lower bound, still growing); open items
      not yet due: NULL.
    - status: `paid` (open amount zero), `past_due` (open, as-of date after the due date),
      `open` (open, not yet due).
    - aging_bucket: the shared AR aging bucket of as_of_date - due_date for open items; NULL
      for paid items.
-#}
with state as (
    select * from {{ ref('int_receivables__invoices_state') }}
),

as_of as (
    select source_system, as_of_date from {{ ref('int_receivables__as_of') }}
),

final as (
    select
        s.invoice_key,
        s.source_system,
        s.company_key,
        s.company_id,
        s.customer_key,
        s.customer_id,
        s.document_number,
        s.document_type,
        s.pay_item,
        s.document_kind,
        s.invoice_date,
        s.due_date,
        s.transaction_currency_code,
        s.currency_code,
        s.gross_amount_transaction,
        s.gross_amount,
        s.applied_amount,
        s.open_amount,
        s.erp_open_amount,
        s.application_count,
        s.paid_date,
        case
            when s.open_amount = 0 then {{ erpml.ar_days_between('s.paid_date', 's.due_date') }}
            when a.as_of_date > s.due_date
                then {{ erpml.ar_days_between('a.as_of_date', 's.due_date') }}
        end as days_late,
        case
            when s.open_amount = 0 then 'paid'
            when as_of_date > due_date then 'past_due'
            else 'open'
        end as status,
        case
            when s.open_amount <> 0
                then {{ erpml.ar_aging_bucket(erpml.ar_days_between('a.as_of_date', 's.due_date')) }}
        end as aging_bucket,
        a.as_of_date,
        s.invoice_known_at,
        s.last_changed_at
    from state as s
    left join as_of as a on a.source_system = s.source_system
)

select * from final
