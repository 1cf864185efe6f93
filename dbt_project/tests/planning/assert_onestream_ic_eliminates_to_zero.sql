{#-
    Intercompany nets to zero after eliminations at every consolidation parent: for each parent
    P, IC account and month, the reporting-currency YTD of the Actual IC rows whose (entity,
    partner) pair is eliminated at P (the pair's elimination rows carry parent P, the common
    parent), plus the elimination rows at P on that account, is zero. Plug accounts keep only
    mismatches (FX differences) and are not part of the check. Returns the failing cells.
-#}
with eliminations as (
    select *
    from {{ ref('fct_financial_plan') }}
    where scenario = 'Actual' and is_elimination and group_account is not null
),

pairs as (
    select distinct parent, entity, ic_entity, fiscal_year
    from eliminations
),

before as (
    select
        pairs.parent,
        cells.account,
        cells.month,
        sum(cells.ytd_amount_reporting) as ic_total_before,
        count(*) as cells,
        count(cells.ytd_amount_reporting) as translated_cells
    from {{ ref('fct_financial_plan') }} as cells
    inner join pairs
        on pairs.entity = cells.entity
        and pairs.ic_entity = cells.ic_entity
        and pairs.fiscal_year = cells.fiscal_year
    where cells.scenario = 'Actual' and not cells.is_elimination
    group by pairs.parent, cells.account, cells.month
),

eliminated as (
    select parent, account, month, sum(ytd_amount_reporting) as elimination
    from eliminations
    group by parent, account, month
),

compared as (
    select
        coalesce(before.parent, eliminated.parent) as parent,
        coalesce(before.account, eliminated.account) as account,
        coalesce(before.month, eliminated.month) as month,
        before.ic_total_before,
        eliminated.elimination,
        coalesce(before.ic_total_before, 0) + coalesce(eliminated.elimination, 0) as ic_total_after,
        before.cells,
        before.translated_cells
    from before
    full outer join eliminated
        on eliminated.parent = before.parent
        and eliminated.account = before.account
        and eliminated.month = before.month
)

select * from compared
where ic_total_after <> 0 or cells <> translated_cells
