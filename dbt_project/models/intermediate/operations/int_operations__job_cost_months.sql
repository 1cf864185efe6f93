{#-
    Vista job cost detail (bJCCD) summed per company, job and batch month (Mth): the in-month
    amounts fct_job_cost cumulates. `last_posted_at` is the latest PostedDate of the month's
    transactions (Vista has no audit stamps; a reopened month gets true-up rows posted later).
-#}
with detail as (
    select * from {{ ref('stg_vista__bjccd') }}
),

final as (
    select
        company,
        job,
        month,
        cast(sum(actual_cost) as decimal(38, 2)) as actual_cost,
        cast(sum(actual_hours) as decimal(38, 2)) as actual_hours,
        cast(sum(case when jc_trans_type_code = 'OE' then est_cost else 0 end) as decimal(38, 2))
            as original_estimate_change,
        cast(sum(est_cost) as decimal(38, 2)) as current_estimate_change,
        cast(sum(proj_cost) as decimal(38, 2)) as projected_cost_change,
        cast(sum(total_cmtd_cost) as decimal(38, 2)) as committed_cost,
        cast(sum(remain_cmtd_cost) as decimal(38, 2)) as remaining_committed_cost_change,
        count(*) as transaction_count,
        cast(max(posted_date) as timestamp) as last_posted_at
    from detail
    group by company, job, month
)

select * from final
