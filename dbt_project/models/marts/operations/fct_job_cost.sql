{#-
    fct_job_cost: one row per Vista job and month, from the job's first to its last bJCCD month
    (months without transactions included), with in-month amounts and amounts to date
    (cumulated over the job's months). Ties to bJCCP (tests/operations) and to the fixture's
    golden job_cost.csv (tests/dbt/test_marts_operations.py).

    known_at: the latest PostedDate among the transactions the row's to-date amounts include
    (bJCCD rows of the job with Mth up to the month), and never before the first day of the
    month. Vista keeps no audit stamps; a reopened month's true-up rows are posted later, so
    they move known_at of that month and of every later month of the job.
-#}
with recursive months as (
    select * from {{ ref('int_operations__job_cost_months') }}
),

jobs as (
    select
        company,
        job,
        min(month) as first_month,
        max(month) as last_month
    from months
    group by company, job
),

month_numbers as (
    select
        cast(min(extract(year from month) * 12 + extract(month from month) - 1) as integer)
            as month_number,
        cast(max(extract(year from month) * 12 + extract(month from month) - 1) as integer)
            as last_number
    from months
    union all
    select cast(month_number + 1 as integer), last_number
    from month_numbers
    where month_number < last_number
),

calendar as (
    select
        make_date(
            cast({{ erpml.erpml_div_int('month_number', 12) }} as integer),
            cast(month_number - {{ erpml.erpml_div_int('month_number', 12) }} * 12 + 1 as integer),
            1
        ) as month
    from month_numbers
),

spine as (
    select
        jobs.company,
        jobs.job,
        calendar.month
    from jobs
    inner join calendar
        on calendar.month >= jobs.first_month and calendar.month <= jobs.last_month
),

filled as (
    select
        spine.company,
        spine.job,
        spine.month,
        coalesce(months.actual_cost, 0) as actual_cost,
        coalesce(months.actual_hours, 0) as actual_hours,
        coalesce(months.original_estimate_change, 0) as original_estimate_change,
        coalesce(months.current_estimate_change, 0) as current_estimate_change,
        coalesce(months.projected_cost_change, 0) as projected_cost_change,
        coalesce(months.committed_cost, 0) as committed_cost,
        coalesce(months.remaining_committed_cost_change, 0) as remaining_committed_cost_change,
        coalesce(months.transaction_count, 0) as transaction_count,
        months.last_posted_at
    from spine
    left join months
        on months.company = spine.company and months.job = spine.job and months.month = spine.month
),

{%- set to_date = 'over (partition by company, job order by month rows between unbounded preceding and current row)' %}

cumulated as (
    select
        filled.*,
        sum(actual_cost) {{ to_date }} as actual_cost_to_date,
        sum(actual_hours) {{ to_date }} as actual_hours_to_date,
        sum(original_estimate_change) {{ to_date }} as original_estimate,
        sum(current_estimate_change) {{ to_date }} as current_estimate,
        sum(projected_cost_change) {{ to_date }} as projected_cost,
        sum(committed_cost) {{ to_date }} as committed_cost_to_date,
        sum(remaining_committed_cost_change) {{ to_date }} as remaining_committed_cost,
        max(last_posted_at) {{ to_date }} as last_posted_to_date
    from filled
),

final as (
    select
        {{ erpml.erpml_key('vista', 'cast(company as varchar)', ['job', 'month']) }} as job_cost_key,
        {{ erpml.erpml_key('vista', 'cast(company as varchar)', ['job']) }} as job_key,
        {{ erpml.erpml_key('vista', 'cast(company as varchar)', []) }} as company_key,
        'vista' as source_system,
        cast(company as varchar) as company_id,
        job as job_number,
        month,
        cast(actual_cost as decimal(38, 2)) as actual_cost,
        cast(actual_cost_to_date as decimal(38, 2)) as actual_cost_to_date,
        cast(actual_hours as decimal(38, 2)) as actual_hours,
        cast(actual_hours_to_date as decimal(38, 2)) as actual_hours_to_date,
        cast(original_estimate_change as decimal(38, 2)) as original_estimate_change,
        cast(original_estimate as decimal(38, 2)) as original_estimate,
        cast(current_estimate_change as decimal(38, 2)) as current_estimate_change,
        cast(current_estimate as decimal(38, 2)) as current_estimate,
        cast(projected_cost_change as decimal(38, 2)) as projected_cost_change,
        cast(projected_cost as decimal(38, 2)) as projected_cost,
        {{ erpml.ops_ratio_half_even('actual_cost_to_date', 'current_estimate', 4, 2) }} as percent_complete,
        cast(committed_cost as decimal(38, 2)) as committed_cost,
        cast(committed_cost_to_date as decimal(38, 2)) as committed_cost_to_date,
        cast(remaining_committed_cost as decimal(38, 2)) as remaining_committed_cost,
        cast(transaction_count as integer) as transaction_count,
        cast(
            case
                when last_posted_to_date is null or last_posted_to_date < cast(month as timestamp)
                    then cast(month as timestamp)
                else last_posted_to_date
            end
        as timestamp) as known_at
    from cumulated
)

select * from final
