{#- The aging at the month end of each source system's as-of month equals the open amounts of
    fct_ar_invoice per company and customer (no application is dated after the as-of date). -#}
with aging as (
    select source_system, company_key, customer_key, total_amount
    from {{ ref('int_receivables__aging_month_end') }}
    where month_end = {{ erpml.ar_month_end('as_of_date') }}
),

open_items as (
    select source_system, company_key, customer_key, sum(open_amount) as open_amount
    from {{ ref('fct_ar_invoice') }}
    where open_amount <> 0
    group by source_system, company_key, customer_key
    having sum(open_amount) <> 0
)

select
    coalesce(a.source_system, o.source_system) as source_system,
    coalesce(a.company_key, o.company_key) as company_key,
    coalesce(a.customer_key, o.customer_key) as customer_key,
    a.total_amount,
    o.open_amount
from aging as a
full outer join open_items as o
    on o.source_system = a.source_system
    and o.company_key = a.company_key
    and o.customer_key = a.customer_key
where a.total_amount is null or o.open_amount is null or a.total_amount <> o.open_amount
