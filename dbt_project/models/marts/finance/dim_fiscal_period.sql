{#-
    dim_fiscal_period: one row per company, fiscal year and period, in the convention of each ERP.
    - JDE: the company's fiscal date pattern (F0010 CCDTPN) in F0008; the fiscal year is named by
      the calendar year it begins in (pattern R: 2025 = July 2025 .. June 2026); periods 1..14,
      a period whose end date does not move past the previous one (13 and 14 ending with 12) is an
      adjustment period; closed = ends before the company's current period (F0010 CCPNC).
    - NetSuite: the posting periods of accountingperiod (months and adjustment periods) for every
      subsidiary; fiscal year = the year period containing it, named by the year it ends in
      (FY 2024 = April 2023 .. March 2024); numbered 1.. within the year by start date, the
      adjustment period last; closed = accountingperiod.closed.
    - Vista: calendar months of every calendar year from the first to the last GL month
      (bGLDT, bGLBL); closed unknown (bGLCO is not landed).
-#}
with jde_companies as (
    select
        company_code,
        coalesce(fiscal_date_pattern, '') as fiscal_date_pattern,
        current_period,
        fiscal_year_begin_date
    from {{ ref('stg_jde__f0010') }}
    where company_code <> '00000'
),

jde_years as (
    select * from {{ ref('stg_jde__f0008') }}
),

jde_unpivoted as (
    {%- for p in range(1, 15) %}
    select
        fiscal_date_pattern,
        fiscal_year,
        fiscal_year_begin_date,
        {{ p }} as period_number,
        period_{{ '%02d' % p }}_end_date as end_date,
        {% if p == 1 -%}
        cast(null as date) as previous_end_date
        {%- else -%}
        period_{{ '%02d' % (p - 1) }}_end_date as previous_end_date
        {%- endif %}
    from jde_years
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

jde_current as (
    {# the start date of each company's current period (F0010 CCPNC in the year CCDFYJ) #}
    select
        c.company_code,
        case
            when c.current_period = 1 then y.fiscal_year_begin_date
            else cast(u.previous_end_date + interval '1 day' as date)
        end as current_period_start
    from jde_companies as c
    inner join jde_years as y
        on y.fiscal_date_pattern = c.fiscal_date_pattern
        and y.fiscal_year_begin_date = c.fiscal_year_begin_date
    inner join jde_unpivoted as u
        on u.fiscal_date_pattern = y.fiscal_date_pattern
        and u.fiscal_year = y.fiscal_year
        and u.period_number = c.current_period
),

jde as (
    select
        'jde' as source_system,
        c.company_code as company_id,
        u.fiscal_year,
        'FY ' || cast(u.fiscal_year as varchar) as fiscal_year_label,
        u.period_number,
        'FY ' || cast(u.fiscal_year as varchar) || ' P' || lpad(cast(u.period_number as varchar), 2, '0')
            as period_name,
        case
            when u.period_number = 1 then u.fiscal_year_begin_date
            when u.end_date <= u.previous_end_date then u.end_date
            else cast(u.previous_end_date + interval '1 day' as date)
        end as start_date,
        u.end_date,
        coalesce(u.end_date <= u.previous_end_date, false) as is_adjustment,
        u.end_date < cur.current_period_start as is_closed,
        cast(null as varchar) as source_period_id
    from jde_companies as c
    inner join jde_unpivoted as u on u.fiscal_date_pattern = c.fiscal_date_pattern
    left join jde_current as cur on cur.company_code = c.company_code
    where u.end_date is not null
),

ns_periods as (
    select * from {{ ref('stg_netsuite__accountingperiod') }}
),

ns_years as (
    select accountingperiod_id, periodname, startdate, enddate
    from ns_periods
    where is_year
),

ns_posting as (
    select
        p.accountingperiod_id,
        p.periodname,
        p.startdate,
        p.enddate,
        p.is_adjust,
        p.is_closed,
        cast(extract(year from y.enddate) as integer) as fiscal_year,
        y.periodname as fiscal_year_label,
        cast(row_number() over (
            partition by y.accountingperiod_id order by p.startdate, p.is_adjust, p.enddate
        ) as integer) as period_number
    from ns_periods as p
    inner join ns_years as y on p.startdate >= y.startdate and p.enddate <= y.enddate
    where not p.is_year and not p.is_quarter
),

netsuite as (
    select
        'netsuite' as source_system,
        cast(s.subsidiary_id as varchar) as company_id,
        p.fiscal_year,
        p.fiscal_year_label,
        p.period_number,
        p.periodname as period_name,
        p.startdate as start_date,
        p.enddate as end_date,
        coalesce(p.is_adjust, false) as is_adjustment,
        p.is_closed,
        cast(p.accountingperiod_id as varchar) as source_period_id
    from ns_posting as p
    cross join {{ ref('stg_netsuite__subsidiary') }} as s
    where not coalesce(s.is_elimination, false)
),

vista_months as (
    select month from {{ ref('stg_vista__bgldt') }}
    union
    select month from {{ ref('stg_vista__bglbl') }}
),

vista_range as (
    select
        cast(extract(year from min(month)) as integer) as first_year,
        cast(extract(year from max(month)) as integer) as last_year
    from vista_months
),

digits as (
    select d from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as t (d)
),

vista_years as (
    select r.first_year + tens.d * 10 + ones.d as fiscal_year
    from vista_range as r
    cross join digits as tens
    cross join digits as ones
    where r.first_year + tens.d * 10 + ones.d <= r.last_year
),

vista_periods as (
    select
        y.fiscal_year,
        m.d as period_number,
        make_date(y.fiscal_year, m.d, 1) as start_date
    from vista_years as y
    cross join (
        select d from digits where d >= 1
        union all select 10 union all select 11 union all select 12
    ) as m
),

vista as (
    select
        'vista' as source_system,
        cast(c.company as varchar) as company_id,
        p.fiscal_year,
        'FY ' || cast(p.fiscal_year as varchar) as fiscal_year_label,
        p.period_number,
        cast(p.fiscal_year as varchar) || '-' || lpad(cast(p.period_number as varchar), 2, '0')
            as period_name,
        p.start_date,
        cast(p.start_date + interval '1 month' - interval '1 day' as date) as end_date,
        false as is_adjustment,
        cast(null as boolean) as is_closed,
        cast(null as varchar) as source_period_id
    from vista_periods as p
    cross join {{ ref('stg_vista__bhqco') }} as c
),

unioned as (
    select * from jde
    union all select * from netsuite
    union all select * from vista
),

final as (
    select
        {{ erpml.erpml_key_parts(['source_system', 'company_id', 'fiscal_year', 'period_number']) }}
            as fiscal_period_key,
        {{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as company_key,
        source_system,
        company_id,
        fiscal_year,
        fiscal_year_label,
        period_number,
        period_name,
        start_date,
        end_date,
        is_adjustment,
        is_closed,
        source_period_id
    from unioned
)

select * from final
