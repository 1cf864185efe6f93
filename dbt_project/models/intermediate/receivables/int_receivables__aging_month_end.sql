{#-
    int_receivables__aging_month_end: AR aging per source system, company, customer and month
    end, by the shared definition of fixtures/README.md, from fct_ar_invoice and fct_ar_payment:

    for each month end M from the month of the ERP's first open item through the month of its
    as-of date, an open item dated on or before M has open amount = gross - applications dated
    on or before M; items with a non-zero open amount are bucketed by M - due date in days:
    current (<= 0), d1_30, d31_60, d61_90, d91_plus; amounts in company currency; rows whose
    total is zero are left out.

    Month ends are calendar month ends, also for the as-of month (the JDE golden file ends on
    the as-of date itself when that is not a month end). An item is expanded only over the
    months it can be open in: from its invoice month through the as-of month while open, else
    through the month of its last application.
-#}
with recursive invoices as (
    select
        invoice_key, source_system, company_key, company_id, customer_key, customer_id,
        currency_code, invoice_date, due_date, gross_amount, open_amount, as_of_date
    from {{ ref('fct_ar_invoice') }}
),

payments as (
    select invoice_key, payment_date, applied_amount from {{ ref('fct_ar_payment') }}
),

last_payment as (
    select invoice_key, max(payment_date) as last_payment_date
    from payments
    group by invoice_key
),

bounds as (
    select
        cast(date_trunc('month', min(invoice_date)) as date) as first_month,
        cast(date_trunc('month', max(as_of_date)) as date) as last_month
    from invoices
),

months (month_start) as (
    select first_month from bounds where first_month is not null
    union all
    select cast(month_start + interval '1 month' as date)
    from months
    where month_start < (select last_month from bounds)
),

month_ends as (
    select {{ erpml.ar_month_end('month_start') }} as month_end from months
),

spans as (
    select
        i.*,
        case
            when i.open_amount <> 0 then {{ erpml.ar_month_end('i.as_of_date') }}
            else {{ erpml.ar_month_end('coalesce(lp.last_payment_date, i.invoice_date)') }}
        end as last_month_end
    from invoices as i
    left join last_payment as lp on lp.invoice_key = i.invoice_key
),

invoice_months as (
    select s.*, m.month_end
    from spans as s
    inner join month_ends as m
        on m.month_end >= s.invoice_date and m.month_end <= s.last_month_end
),

open_at_month_end as (
    select
        im.invoice_key,
        im.source_system,
        im.company_key,
        im.company_id,
        im.customer_key,
        im.customer_id,
        im.currency_code,
        im.month_end,
        im.as_of_date,
        {{ erpml.ar_days_between('im.month_end', 'im.due_date') }} as days_past_due,
        im.gross_amount - coalesce(sum(p.applied_amount), 0) as open_amount
    from invoice_months as im
    left join payments as p
        on p.invoice_key = im.invoice_key and p.payment_date <= im.month_end
    group by
        im.invoice_key, im.source_system, im.company_key, im.company_id, im.customer_key,
        im.customer_id, im.currency_code, im.month_end, im.as_of_date, im.due_date,
        im.gross_amount
),

bucketed as (
    select
        *,
        {{ erpml.ar_aging_bucket('days_past_due') }} as aging_bucket
    from open_at_month_end
    where open_amount <> 0
),

final as (
    select
        source_system,
        company_key,
        company_id,
        customer_key,
        customer_id,
        month_end,
        currency_code,
        sum(case when aging_bucket = 'current' then open_amount else 0 end) as current_amount,
        sum(case when aging_bucket = 'd1_30' then open_amount else 0 end) as d1_30_amount,
        sum(case when aging_bucket = 'd31_60' then open_amount else 0 end) as d31_60_amount,
        sum(case when aging_bucket = 'd61_90' then open_amount else 0 end) as d61_90_amount,
        sum(case when aging_bucket = 'd91_plus' then open_amount else 0 end) as d91_plus_amount,
        sum(open_amount) as total_amount,
        count(*) as open_item_count,
        max(as_of_date) as as_of_date
    from bucketed
    group by
        source_system, company_key, company_id, customer_key, customer_id, month_end,
        currency_code
    having sum(open_amount) <> 0
)

select * from final
