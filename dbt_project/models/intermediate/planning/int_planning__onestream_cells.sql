{#-
    OneStream cube cells (stg_onestream__cube_data, month members only) with the consolidation
    member folded into columns: one row per scenario, entity, parent, account, flow, origin,
    IC, UD1..UD8, month and elimination flag, carrying the Local amount, the translated amount
    (Cons = the reporting currency, var reporting_currency) and the elimination amount (Cons
    Elimination), each Periodic and YTD. Other Cons members (Translated, OwnerPreAdj, Share,
    Top, other currencies) are derived by OneStream and not read.

    Plan opening balances: in this application every scenario's balance accounts (asset,
    liability, equity) start each year from the Actual balance brought forward
    (fixtures/onestream/README.md, Budget). So the Periodic amount of a plan scenario's first
    stored month of a year is its YTD minus the Actual closing YTD of the same intersection
    (the last stored Actual month of the year before, summed over origins; 0 when there is
    none), not minus the plan's own December as stg_onestream__cube_data derives it. Other
    months and the Actual keep the staging Periodic. The opening scenario is
    var `onestream_opening_scenario` (default Actual).
-#}
{%- set reporting = var('reporting_currency') -%}
{%- set opening_scenario = var('onestream_opening_scenario', 'Actual') -%}
{%- set members = ['entity', 'parent', 'cons', 'account', 'flow', 'ic',
    'ud1', 'ud2', 'ud3', 'ud4', 'ud5', 'ud6', 'ud7', 'ud8'] -%}
{%- set intersection = ['scenario', 'entity', 'parent', 'account', 'flow', 'origin', 'ic',
    'ud1', 'ud2', 'ud3', 'ud4', 'ud5', 'ud6', 'ud7', 'ud8', 'month_start'] -%}

with cells as (
    select
        *,
        row_number() over (
            partition by scenario, {{ members | join(', ') }}, origin, fiscal_year
            order by month_start
        ) as month_in_year,
        row_number() over (
            partition by scenario, {{ members | join(', ') }}, origin, fiscal_year
            order by month_start desc
        ) as month_from_year_end
    from {{ ref('stg_onestream__cube_data') }}
    where period is not null
        and cons in ('Local', '{{ reporting }}', 'Elimination')
),

closing_balances as (
    select
        {{ members | join(', ') }},
        fiscal_year + 1 as opens_year,
        sum(ytd_amount) as closing_ytd
    from cells
    where scenario = '{{ opening_scenario }}'
        and is_balance_account
        and stored_view = 'YTD'
        and month_from_year_end = 1
    group by {{ members | join(', ') }}, fiscal_year + 1
),

opened as (
    select
        cells.*,
        case
            when cells.scenario <> '{{ opening_scenario }}'
                and cells.is_balance_account
                and cells.stored_view = 'YTD'
                and cells.month_in_year = 1
                then cells.ytd_amount - coalesce(closing_balances.closing_ytd, 0)
            else cells.periodic_amount
        end as month_amount
    from cells
    left join closing_balances
        on cells.scenario <> '{{ opening_scenario }}'
        and closing_balances.opens_year = cells.fiscal_year
        {%- for m in members %}
        and closing_balances.{{ m }} = cells.{{ m }}
        {%- endfor %}
),

final as (
    select
        {{ intersection | join(',\n        ') }},
        cons = 'Elimination' as is_elimination,
        min(fiscal_year) as fiscal_year,
        min(period) as period,
        min(time_member) as time_member,
        bool_or(is_balance_account) as is_balance_account,
        sum(case when cons = 'Local' then month_amount end) as local_periodic,
        sum(case when cons = 'Local' then ytd_amount end) as local_ytd,
        sum(case when cons = '{{ reporting }}' then month_amount end) as translated_periodic,
        sum(case when cons = '{{ reporting }}' then ytd_amount end) as translated_ytd,
        sum(case when cons = 'Elimination' then month_amount end) as elimination_periodic,
        sum(case when cons = 'Elimination' then ytd_amount end) as elimination_ytd,
        max(known_at) as known_at,
        max(erpml_batch_id) as erpml_batch_id
    from opened
    group by {{ intersection | join(', ') }}, cons = 'Elimination'
)

select * from final
