{#-
    fct_job_cost in-month amounts equal Vista's own roll-up bJCCP (JCCo, Job, Phase, CostType,
    Mth) summed per job and month: actual cost and hours, original and current estimate,
    projected cost, committed cost. Job-months of bJCCP missing from the fact (or the reverse,
    with non-zero amounts) fail too. Returns the failing job-months.
-#}
with rollup as (
    select
        cast(company as varchar) as company_id,
        job as job_number,
        month,
        sum(actual_cost) as actual_cost,
        sum(actual_hours) as actual_hours,
        sum(orig_est_cost) as original_estimate_change,
        sum(curr_est_cost) as current_estimate_change,
        sum(proj_cost) as projected_cost_change,
        sum(total_cmtd_cost) as committed_cost
    from {{ ref('stg_vista__bjccp') }}
    group by company, job, month
),

fact as (
    select
        company_id,
        job_number,
        month,
        actual_cost,
        actual_hours,
        original_estimate_change,
        current_estimate_change,
        projected_cost_change,
        committed_cost
    from {{ ref('fct_job_cost') }}
),

compared as (
    select
        coalesce(fact.company_id, rollup.company_id) as company_id,
        coalesce(fact.job_number, rollup.job_number) as job_number,
        coalesce(fact.month, rollup.month) as month,
        fact.month is null as missing_in_fact,
        fact.actual_cost as fact_actual_cost,
        rollup.actual_cost as bjccp_actual_cost,
        {%- for c in ['actual_cost', 'actual_hours', 'original_estimate_change',
            'current_estimate_change', 'projected_cost_change', 'committed_cost'] %}
        coalesce(fact.{{ c }}, 0) <> coalesce(rollup.{{ c }}, 0){% if not loop.last %} or{% endif %}
        {%- endfor %} as differs
    from fact
    full outer join rollup
        on rollup.company_id = fact.company_id
        and rollup.job_number = fact.job_number
        and rollup.month = fact.month
)

select * from compared
where differs or missing_in_fact
