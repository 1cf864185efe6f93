{#- fct_gl_balance of JDE equals F0902 (AA ledger) per account, fiscal year and period: net
    activity = GBANnn and closing balance = GBAPYC + GBAN01..GBANnn, for every period up to the
    company's last period in the fact (adjustment periods where F0902 has postings in them). A
    period missing on one side counts as zero there.
    Returns the differing rows. -#}
with fact as (
    select
        b.company_id,
        a.account_id,
        b.fiscal_year,
        b.period_number,
        b.net_amount,
        b.closing_balance
    from {{ ref('fct_gl_balance') }} as b
    inner join {{ ref('dim_gl_account') }} as a on a.gl_account_key = b.gl_account_key
    where b.source_system = 'jde'
),

last_period as (
    select company_id, max(fiscal_year * 100 + period_number) as last_period
    from fact
    group by company_id
),

ledger as (
    select f.company_code as company_id, f.account_id, f.fiscal_year, f.period_number,
        f.net_amount, f.closing_balance
    from {{ ref('int_finance__jde_f0902_periods') }} as f
    inner join last_period as l
        on l.company_id = f.company_code
        and f.fiscal_year * 100 + f.period_number <= l.last_period
    inner join {{ ref('dim_fiscal_period') }} as p
        on p.source_system = 'jde'
        and p.company_id = f.company_code
        and p.fiscal_year = f.fiscal_year
        and p.period_number = f.period_number
    -- the fact holds adjustment periods (13, 14) only where they have postings
    where f.net_amount <> 0 or (f.closing_balance <> 0 and not p.is_adjustment)
),

compared as (
    select
        coalesce(fact.company_id, ledger.company_id) as company_id,
        coalesce(fact.account_id, ledger.account_id) as account_id,
        coalesce(fact.fiscal_year, ledger.fiscal_year) as fiscal_year,
        coalesce(fact.period_number, ledger.period_number) as period_number,
        coalesce(fact.net_amount, 0) as fact_net_amount,
        coalesce(ledger.net_amount, 0) as f0902_net_amount,
        coalesce(fact.closing_balance, 0) as fact_closing_balance,
        coalesce(ledger.closing_balance, 0) as f0902_closing_balance
    from fact
    full outer join ledger
        on ledger.company_id = fact.company_id
        and ledger.account_id = fact.account_id
        and ledger.fiscal_year = fact.fiscal_year
        and ledger.period_number = fact.period_number
)

select *
from compared
where fact_net_amount <> f0902_net_amount
    or fact_closing_balance <> f0902_closing_balance
