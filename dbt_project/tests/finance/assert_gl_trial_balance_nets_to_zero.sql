{#- Every company's trial balance nets to zero in every fiscal period: posted activity in
    company currency; for JDE (whose annual close carries profit and loss into retained
    earnings) the closing balances as well. Returns the failing company periods. -#}
select
    company_key,
    source_system,
    company_id,
    fiscal_year,
    period_number,
    sum(net_amount) as net_amount,
    sum(closing_balance) as closing_balance
from {{ ref('fct_gl_balance') }}
group by company_key, source_system, company_id, fiscal_year, period_number
having sum(net_amount) <> 0
    or (source_system = 'jde' and sum(closing_balance) <> 0)
