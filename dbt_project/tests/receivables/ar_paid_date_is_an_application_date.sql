{#- Status, paid date and days late agree: an item is paid exactly when its open amount is zero;
    its paid date is the date of one of its applications (or its invoice date when its gross
    is zero); days_late = paid_date - due_date for paid items, as_of_date - due_date for open
    items past due, NULL for open items not yet due. -#}
with application_dates as (
    select distinct invoice_key, payment_date from {{ ref('fct_ar_payment') }}
)

select i.invoice_key, i.status, i.open_amount, i.paid_date, i.days_late
from {{ ref('fct_ar_invoice') }} as i
where
    (i.status = 'paid') <> (i.open_amount = 0)
    or (i.status = 'paid') <> (i.paid_date is not null)
    or (i.status = 'paid' and i.days_late <> {{ erpml.ar_days_between('i.paid_date', 'i.due_date') }})
    or (i.status = 'past_due'
        and i.days_late <> {{ erpml.ar_days_between('i.as_of_date', 'i.due_date') }})
    or (i.status = 'open' and i.days_late is not null)
    or (i.status = 'paid' and not (i.gross_amount = 0 and i.paid_date = i.invoice_date)
        and not exists (
            select 1 from application_dates as d
            where d.invoice_key = i.invoice_key and d.payment_date = i.paid_date
        ))
