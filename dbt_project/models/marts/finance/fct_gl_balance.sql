{#-
    fct_gl_balance: per GL account and fiscal period, from the account's first posted period
    through the company's last one (adjustment periods only where they hold entries): net
    activity, entry count and closing balance, in company and reporting currency.

    Closing balance, as each ERP's trial balance defines it:
    - balance-sheet accounts: cumulative since the start of history;
    - profit and loss: fiscal year to date;
    - JDE only: the retained-earnings account (group account flagged is_retained_earnings in
      gl_group_accounts; the lowest account code per company) also carries the profit and loss
      of all earlier fiscal years, as JDE's annual close puts it into its balance forward
      (F0902 GBAPYC). NetSuite and Vista report retained earnings from its postings only.
    Reporting currency: the period's net activity times the period's rate (identity 1 for
    companies in the reporting currency; JDE: the F0015 rate in effect on the period's end date;
    NetSuite: the period's consolidatedexchangerate of the account's general rate type), rounded
    to cents; the closing balance in reporting currency accumulates those translated amounts by
    the same rule (activity translation, no retranslation of balances, no translation
    adjustment). It can differ by rounding cents from the sum of fct_gl_entry.amount_reporting.
    Rows whose closing balance is zero and that hold no entries are left out.
-#}
{%- set reporting = var('reporting_currency') %}

with entries as (
    select
        gl_account_key,
        fiscal_period_key,
        count(*) as entry_count,
        sum(amount_company) as net_amount,
        max(known_at) as known_at,
        max(company_currency_code) as company_currency_code
    from {{ ref('fct_gl_entry') }}
    group by gl_account_key, fiscal_period_key
),

accounts as (
    select * from {{ ref('dim_gl_account') }}
),

periods as (
    select * from {{ ref('dim_fiscal_period') }}
),

entry_periods as (
    select
        e.*,
        a.company_key,
        p.end_date
    from entries as e
    inner join accounts as a on a.gl_account_key = e.gl_account_key
    inner join periods as p on p.fiscal_period_key = e.fiscal_period_key
),

company_span as (
    select
        company_key,
        min(end_date) as first_end_date,
        max(end_date) as last_end_date,
        max(company_currency_code) as company_currency_code
    from entry_periods
    group by company_key
),

retained_earnings as (
    {# JDE: the account the annual close carries profit and loss into, one per company #}
    select a.company_key, min(a.account_code) as account_code
    from accounts as a
    inner join {{ ref('gl_group_accounts') }} as g on g.group_account = a.group_account
    where a.source_system = 'jde' and g.is_retained_earnings
    group by a.company_key
),

account_span as (
    {# from the account's first posted period; retained earnings (JDE) from the company's
        first, as it carries closed profit and loss even without postings of its own #}
    select gl_account_key, min(first_end_date) as first_end_date
    from (
        select gl_account_key, min(end_date) as first_end_date
        from entry_periods
        group by gl_account_key
        union all
        select a.gl_account_key, c.first_end_date
        from accounts as a
        inner join retained_earnings as re
            on re.company_key = a.company_key and re.account_code = a.account_code
        inner join company_span as c on c.company_key = a.company_key
    ) as spans
    group by gl_account_key
),

periods_with_entries as (
    select distinct fiscal_period_key from entry_periods
),

spine as (
    select
        a.gl_account_key,
        a.company_key,
        a.source_system,
        a.company_id,
        a.account_code,
        a.is_balance_sheet,
        a.translation_rate_type,
        a.source_system = 'jde' and a.account_code = re.account_code as closes_profit_and_loss,
        p.fiscal_period_key,
        p.fiscal_year,
        p.period_number,
        p.end_date as period_end_date,
        p.source_period_id,
        c.company_currency_code
    from accounts as a
    inner join account_span as s on s.gl_account_key = a.gl_account_key
    inner join company_span as c on c.company_key = a.company_key
    inner join periods as p
        on p.company_key = a.company_key
        and p.end_date >= s.first_end_date
        and p.end_date <= c.last_end_date
    left join periods_with_entries as pe on pe.fiscal_period_key = p.fiscal_period_key
    left join retained_earnings as re on re.company_key = a.company_key
    where not p.is_adjustment or pe.fiscal_period_key is not null
),

rates as (
    select * from {{ ref('int_finance__reporting_rates') }}
),

activity as (
    select
        s.*,
        coalesce(e.entry_count, 0) as entry_count,
        coalesce(e.net_amount, 0) as net_amount,
        e.known_at as entry_known_at,
        case
            when s.company_currency_code = '{{ reporting }}' then cast(1 as numeric(38, 12))
            else coalesce(by_period.reporting_rate, by_date.reporting_rate)
        end as rate,
        case
            when s.company_currency_code = '{{ reporting }}' then 'identity'
            else coalesce(by_period.rate_source, by_date.rate_source)
        end as rate_source,
        case
            when s.company_currency_code = '{{ reporting }}' then s.period_end_date
            else coalesce(by_period.rate_date, by_date.rate_date)
        end as rate_date
    from spine as s
    left join entries as e
        on e.gl_account_key = s.gl_account_key and e.fiscal_period_key = s.fiscal_period_key
    left join rates as by_period
        on by_period.accounting_period_id is not null
        and by_period.source_system = s.source_system
        and by_period.company_id = s.company_id
        and by_period.currency_code = s.company_currency_code
        and by_period.rate_type = s.translation_rate_type
        and cast(by_period.accounting_period_id as varchar) = s.source_period_id
    left join rates as by_date
        on by_date.accounting_period_id is null
        and by_date.source_system = s.source_system
        and by_date.company_id = s.company_id
        and by_date.currency_code = s.company_currency_code
        and by_date.rate_type = s.translation_rate_type
        and s.period_end_date >= by_date.effective_from
        and (by_date.effective_until is null or s.period_end_date < by_date.effective_until)
),

translated as (
    select
        activity.*,
        case
            when rate is not null
                then round(net_amount * rate, {{ erpml.finance_reporting_decimals() }})
            else {{ erpml.finance_raise(
                "'no exchange rate to " ~ reporting ~ ": " ~ this.identifier
                ~ ".company_currency_code = ' || company_currency_code || ' on ' || cast(period_end_date as varchar)"
                ~ " || ' (' || source_system || ' company ' || company_id || ')'",
                'numeric(38, 6)') }}
        end as net_amount_reporting
    from activity
),

prior_profit_and_loss as (
    {# per company and fiscal year: profit and loss of all earlier fiscal years #}
    select
        y.company_key,
        y.fiscal_year,
        coalesce(sum(pl.net_amount), 0) as net_amount,
        coalesce(sum(pl.net_amount_reporting), 0) as net_amount_reporting
    from (select distinct company_key, fiscal_year from translated) as y
    left join translated as pl
        on pl.company_key = y.company_key
        and pl.fiscal_year < y.fiscal_year
        and not pl.is_balance_sheet
    group by y.company_key, y.fiscal_year
),

balanced as (
    select
        t.*,
        case
            when t.is_balance_sheet then sum(t.net_amount) over cumulative
            else sum(t.net_amount) over fiscal_ytd
        end
        + case when t.closes_profit_and_loss then ppl.net_amount else 0 end as closing_balance,
        case
            when t.is_balance_sheet then sum(t.net_amount_reporting) over cumulative
            else sum(t.net_amount_reporting) over fiscal_ytd
        end
        + case when t.closes_profit_and_loss then ppl.net_amount_reporting else 0 end
            as closing_balance_reporting,
        case
            when t.is_balance_sheet then max(t.entry_known_at) over cumulative
            else max(t.entry_known_at) over fiscal_ytd
        end as known_at
    from translated as t
    left join prior_profit_and_loss as ppl
        on ppl.company_key = t.company_key and ppl.fiscal_year = t.fiscal_year
    window
        cumulative as (
            partition by t.gl_account_key order by t.fiscal_year, t.period_number
            rows between unbounded preceding and current row),
        fiscal_ytd as (
            partition by t.gl_account_key, t.fiscal_year order by t.period_number
            rows between unbounded preceding and current row)
),

final as (
    select
        {{ erpml.erpml_key_parts(['gl_account_key', 'fiscal_period_key']) }} as gl_balance_key,
        company_key,
        gl_account_key,
        fiscal_period_key,
        source_system,
        company_id,
        account_code,
        fiscal_year,
        period_number,
        period_end_date,
        is_balance_sheet,
        case
            when closes_profit_and_loss then 'cumulative_with_closed_profit_and_loss'
            when is_balance_sheet then 'cumulative'
            else 'fiscal_year_to_date'
        end as balance_rule,
        cast(entry_count as integer) as entry_count,
        company_currency_code,
        cast(net_amount as numeric(38, 6)) as net_amount,
        cast(closing_balance as numeric(38, 6)) as closing_balance,
        '{{ reporting }}' as reporting_currency_code,
        rate as reporting_rate,
        rate_source as reporting_rate_source,
        rate_date as reporting_rate_date,
        cast(net_amount_reporting as numeric(38, 6)) as net_amount_reporting,
        cast(closing_balance_reporting as numeric(38, 6)) as closing_balance_reporting,
        known_at
    from balanced
    where entry_count > 0 or closing_balance <> 0
)

select * from final
