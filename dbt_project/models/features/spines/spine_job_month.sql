{#-
    spine_job_month: one row per job and month of job cost (Vista), the prediction points of
    the job-overrun feature set, with the outcome once the job is closed: final cost (actual
    cost to date in the job's last month) against the final current estimate.
-#}
with months as (
    select
        c.job_cost_key,
        c.job_key,
        c.company_key,
        c.month,
        c.known_at,
        c.actual_cost_to_date,
        c.current_estimate,
        row_number() over (partition by c.job_key order by c.month desc) as from_last
    from {{ ref('fct_job_cost') }} as c
),

final_month as (
    select job_key, actual_cost_to_date as final_cost, current_estimate as final_estimate
    from months
    where from_last = 1
),

final as (
    select
        m.job_cost_key,
        m.job_key,
        m.company_key,
        m.month,
        cast(m.known_at as timestamp) as predicted_at,
        case when j.actual_close_date is not null then f.final_cost end as final_cost,
        case when j.actual_close_date is not null then f.final_estimate end as final_estimate,
        case
            when j.actual_close_date is not null
                then cast(coalesce(j.month_closed, j.actual_close_date) as timestamp)
        end as outcome_known_at
    from months as m
    inner join {{ ref('dim_job') }} as j on j.job_key = m.job_key
    inner join final_month as f on f.job_key = m.job_key
)

select * from final
