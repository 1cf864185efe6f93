{#-
    OneStream Actual equals the mapped ERP general ledgers: per entity, group account and
    calendar month, the Periodic Local Actual of fct_financial_plan (summed over IC partners,
    flows and origins, eliminations excluded) equals the posted GL lines of fct_gl_entry in the
    company currency, grouped by dim_gl_account.group_account and the calendar month of the
    G/L date, the company mapped to its entity by dim_company.consolidation_entity
    (fixtures/onestream/README.md, actual_tie). Returns the failing cells.
-#}
with onestream as (
    select entity, group_account, month, sum(amount_local) as amount_onestream
    from {{ ref('fct_financial_plan') }}
    where scenario = 'Actual' and not is_elimination and group_account is not null
    group by entity, group_account, month
),

erp as (
    select
        companies.consolidation_entity as entity,
        accounts.group_account,
        cast(date_trunc('month', entries.gl_date) as date) as month,
        sum(entries.amount_company) as amount_erp
    from {{ ref('fct_gl_entry') }} as entries
    inner join {{ ref('dim_gl_account') }} as accounts
        on accounts.gl_account_key = entries.gl_account_key
    inner join {{ ref('dim_company') }} as companies
        on companies.company_key = entries.company_key
    group by companies.consolidation_entity, accounts.group_account,
        cast(date_trunc('month', entries.gl_date) as date)
),

compared as (
    select
        coalesce(onestream.entity, erp.entity) as entity,
        coalesce(onestream.group_account, erp.group_account) as group_account,
        coalesce(onestream.month, erp.month) as month,
        onestream.amount_onestream,
        erp.amount_erp
    from onestream
    full outer join erp
        on erp.entity = onestream.entity
        and erp.group_account = onestream.group_account
        and erp.month = onestream.month
)

select * from compared
where coalesce(amount_onestream, 0) <> coalesce(amount_erp, 0)
