{#-
    Rates from a company's currency to var('reporting_currency'), one row per company, rate type
    and validity:
    - JDE F0015 general rates (address number 0, blank rate type) from the company currency
      (F0010) to the reporting currency: the multiplier CXCRR, valid from its effective date
      CXEFT until the next one (`effective_until`, exclusive); rate_type 'standard'.
    - NetSuite consolidatedexchangerate of the primary book from the subsidiary to a subsidiary
      whose currency is the reporting currency, per posting period, one row per rate type
      (average, current, historical; chosen by the account's general rate type). An adjustment
      period takes the rates of the month period ending the same day.
    Companies already in the reporting currency need no row (rate 1, source 'identity' in the
    marts); Vista keeps no rates (all its companies are in USD here).
-#}
{%- set reporting = var('reporting_currency') -%}
with jde_companies as (
    select company_code, currency_code
    from {{ ref('stg_jde__f0010') }}
    where company_code <> '00000' and currency_code <> '{{ reporting }}'
),

jde_rates as (
    select
        from_currency_code,
        effective_date,
        multiplier_rate,
        lead(effective_date) over (
            partition by from_currency_code order by effective_date
        ) as effective_until
    from {{ ref('stg_jde__f0015') }}
    where to_currency_code = '{{ reporting }}'
        and address_number = 0
        and rate_type is null
),

jde as (
    select
        'jde' as source_system,
        c.company_code as company_id,
        c.currency_code,
        'standard' as rate_type,
        r.effective_date as effective_from,
        r.effective_until,
        cast(null as integer) as accounting_period_id,
        cast(r.multiplier_rate as numeric(38, 12)) as reporting_rate,
        'jde.F0015' as rate_source,
        r.effective_date as rate_date
    from jde_companies as c
    inner join jde_rates as r on r.from_currency_code = c.currency_code
),

ns_currencies as (
    select currency_id, trim(symbol) as currency_code from {{ ref('stg_netsuite__currency') }}
),

ns_primary_book as (
    select accountingbook_id from {{ ref('stg_netsuite__accountingbook') }} where is_primary
),

ns_periods as (
    select * from {{ ref('stg_netsuite__accountingperiod') }}
),

ns_month_rates as (
    select
        cast(r.from_subsidiary_id as varchar) as company_id,
        f.currency_code,
        r.posting_period_id,
        r.averagerate,
        r.currentrate,
        r.historicalrate
    from {{ ref('stg_netsuite__consolidatedexchangerate') }} as r
    inner join ns_primary_book as b on b.accountingbook_id = r.accounting_book_id
    inner join ns_currencies as f on f.currency_id = r.from_currency_id
    inner join ns_currencies as t on t.currency_id = r.to_currency_id
    where t.currency_code = '{{ reporting }}'
),

ns_period_rates as (
    {# every posting period: its own rates, an adjustment period those of its month #}
    select
        p.accountingperiod_id,
        p.startdate,
        p.enddate,
        coalesce(own.company_id, month_rates.company_id) as company_id,
        coalesce(own.currency_code, month_rates.currency_code) as currency_code,
        coalesce(own.averagerate, month_rates.averagerate) as averagerate,
        coalesce(own.currentrate, month_rates.currentrate) as currentrate,
        coalesce(own.historicalrate, month_rates.historicalrate) as historicalrate
    from ns_periods as p
    left join ns_month_rates as own on own.posting_period_id = p.accountingperiod_id
    left join ns_periods as month_period
        on p.is_adjust and own.posting_period_id is null
        and not month_period.is_adjust and not month_period.is_year
        and not month_period.is_quarter and month_period.enddate = p.enddate
    left join ns_month_rates as month_rates
        on month_rates.posting_period_id = month_period.accountingperiod_id
    where not p.is_year and not p.is_quarter
        and coalesce(own.company_id, month_rates.company_id) is not null
),

netsuite as (
    {%- for rate_type in ['average', 'current', 'historical'] %}
    select
        'netsuite' as source_system,
        company_id,
        currency_code,
        '{{ rate_type }}' as rate_type,
        startdate as effective_from,
        cast(enddate + interval '1 day' as date) as effective_until,
        cast(accountingperiod_id as integer) as accounting_period_id,
        cast({{ rate_type }}rate as numeric(38, 12)) as reporting_rate,
        'netsuite.consolidatedexchangerate.{{ rate_type }}rate' as rate_source,
        startdate as rate_date
    from ns_period_rates
    where currency_code <> '{{ reporting }}'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from jde
    union all
    select * from netsuite
)

select * from final
