{#-
    fct_financial_plan: OneStream Actual, Budget and Forecast per entity, account, IC partner,
    flow, origin, user dimensions and month, Periodic (derived from the stored YTD,
    macros/onestream/onestream_views.sql) and YTD, in the entity (Local) currency and in the
    reporting currency (var reporting_currency).

    Reporting currency: the cube's translated rows (Cons = USD) where it has them; the Local
    amount for entities whose currency is the reporting currency; else NULL (Budget and Forecast
    of non-USD entities are not translated in the cube). Elimination rows (Cons Elimination,
    stored on the child entity in the context of its common parent) are flagged
    `is_elimination` with `parent`; their amount is in the reporting currency, and is also
    the Local amount only when the entity's currency is the reporting currency.

    Entity currency: the currency of the ERP company the entity consolidates
    (dim_company.consolidation_entity); the cube's entity properties are not landed.
    group_account: the account member when it is a group chart code (four digits), NULL for
    the IC plug accounts (ICPlugBS, ICPlugPL).
-#}
{%- set reporting = var('reporting_currency') -%}

with cells as (
    select * from {{ ref('int_planning__onestream_cells') }}
),

entity_currencies as (
    select
        consolidation_entity as entity,
        min(currency_code) as currency_code
    from {{ ref('dim_company') }}
    where source_system <> 'onestream'
    group by consolidation_entity
),

decoded as (
    select
        cells.*,
        entity_currencies.currency_code,
        coalesce(entity_currencies.currency_code = '{{ reporting }}', false) as is_reporting_currency
    from cells
    left join entity_currencies on entity_currencies.entity = cells.entity
),

final as (
    select
        {{ erpml.erpml_key('onestream', 'entity', [
            'scenario', 'parent', 'account', 'flow', 'origin', 'ic', 'ud1', 'ud2', 'ud3', 'ud4',
            'ud5', 'ud6', 'ud7', 'ud8', 'cast(month_start as varchar)',
            "case when is_elimination then 'E' else 'L' end"]) }} as financial_plan_key,
        {{ erpml.erpml_key('onestream', 'entity', []) }} as company_key,
        'onestream' as source_system,
        entity,
        scenario,
        is_elimination,
        nullif(parent, 'None') as parent,
        account,
        case when {{ erpml.onestream_matches('account', '[0-9]{4}') }} then account end
            as group_account,
        is_balance_account,
        nullif(ic, 'None') as ic_entity,
        flow,
        origin,
        ud1,
        ud2,
        ud3,
        ud4,
        ud5,
        ud6,
        ud7,
        ud8,
        cast(fiscal_year as integer) as fiscal_year,
        cast(period as integer) as period,
        cast(month_start as date) as month,
        time_member,
        currency_code,
        cast(case
            when not is_elimination then local_periodic
            when is_reporting_currency then elimination_periodic
        end as decimal(38, 9)) as amount_local,
        cast(case
            when is_elimination then elimination_periodic
            when translated_periodic is not null then translated_periodic
            when is_reporting_currency then local_periodic
        end as decimal(38, 9)) as amount_reporting,
        cast(case
            when not is_elimination then local_ytd
            when is_reporting_currency then elimination_ytd
        end as decimal(38, 9)) as ytd_amount_local,
        cast(case
            when is_elimination then elimination_ytd
            when translated_ytd is not null then translated_ytd
            when is_reporting_currency then local_ytd
        end as decimal(38, 9)) as ytd_amount_reporting,
        '{{ reporting }}' as reporting_currency_code,
        cast(known_at as timestamp) as known_at,
        cast(erpml_batch_id as bigint) as _erpml_batch_id
    from decoded
)

select * from final
