{#- fct_gl_balance of Vista equals bGLBL (the trigger-maintained balance roll-up) per company,
    account and month: net activity = NetActivity. A month missing on one side counts as zero.
    Returns the differing rows. -#}
with fact as (
    select b.company_id, b.account_code as gl_account, p.start_date as month, b.net_amount
    from {{ ref('fct_gl_balance') }} as b
    inner join {{ ref('dim_fiscal_period') }} as p on p.fiscal_period_key = b.fiscal_period_key
    where b.source_system = 'vista' and b.net_amount <> 0
),

ledger as (
    select cast(company as varchar) as company_id, gl_account, month, net_activity
    from {{ ref('stg_vista__bglbl') }}
    where net_activity <> 0
),

compared as (
    select
        coalesce(fact.company_id, ledger.company_id) as company_id,
        coalesce(fact.gl_account, ledger.gl_account) as gl_account,
        coalesce(fact.month, ledger.month) as month,
        coalesce(fact.net_amount, 0) as fact_net_amount,
        coalesce(ledger.net_activity, 0) as bglbl_net_activity
    from fact
    full outer join ledger
        on ledger.company_id = fact.company_id
        and ledger.gl_account = fact.gl_account
        and ledger.month = fact.month
)

select * from compared where fact_net_amount <> bglbl_net_activity
