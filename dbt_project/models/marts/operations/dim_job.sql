{#-
    dim_job: one row per job.

    Vista: bJCJM (job master) with its contract from bJCCM (same JCCo and Contract).
    JD Edwards keeps jobs as business units (F0006) whose type MCSTYL is a job type
    (var `jde_job_business_unit_types`, default ['JB']); the fixture has none (its business units
    are BS, BP and IS), so the JDE branch returns no rows there.
    job_key = erpml_key('vista', JCCo, [Job]) / erpml_key('jde', MCCO, [MCMCU]).
-#}
{%- set jde_job_types = var('jde_job_business_unit_types', ['JB']) -%}

with vista_jobs as (
    select * from {{ ref('stg_vista__bjcjm') }}
),

vista_contracts as (
    select * from {{ ref('stg_vista__bjccm') }}
),

vista as (
    select
        {{ erpml.erpml_key('vista', 'cast(jobs.company as varchar)', ['jobs.job']) }} as job_key,
        'vista' as source_system,
        cast(jobs.company as varchar) as company_id,
        jobs.job as job_number,
        trim(jobs.description) as job_description,
        jobs.contract as contract_number,
        trim(contracts.description) as contract_description,
        jobs.job_status,
        contracts.contract_status,
        contracts.start_month,
        contracts.start_date,
        contracts.proj_close_date as projected_close_date,
        contracts.actual_close_date,
        contracts.month_closed,
        cast(contracts.original_days as integer) as original_days,
        cast(contracts.current_days as integer) as current_days,
        cast(contracts.orig_contract_amt as decimal(38, 2)) as original_contract_amount,
        cast(contracts.contract_amt as decimal(38, 2)) as contract_amount,
        case when contracts.customer is not null then
            {{ erpml.erpml_key('vista', 'contracts.customer_group', ['contracts.customer']) }}
        end as customer_key,
        cast(contracts.customer_group as varchar) as customer_group,
        cast(contracts.customer as varchar) as customer_id,
        trim(jobs.ud_project_manager) as project_manager,
        trim(jobs.ud_region) as region,
        cast(jobs.erpml_extracted_at as timestamp) as known_at
    from vista_jobs as jobs
    left join vista_contracts as contracts
        on contracts.company = jobs.company and contracts.contract = jobs.contract
),

jde as (
    select
        {{ erpml.erpml_key('jde', 'units.company_code', ['units.business_unit']) }} as job_key,
        'jde' as source_system,
        units.company_code as company_id,
        units.business_unit as job_number,
        units.business_unit_name as job_description,
        cast(null as varchar) as contract_number,
        cast(null as varchar) as contract_description,
        cast(null as varchar) as job_status,
        cast(null as varchar) as contract_status,
        cast(null as date) as start_month,
        cast(null as date) as start_date,
        cast(null as date) as projected_close_date,
        cast(null as date) as actual_close_date,
        cast(null as date) as month_closed,
        cast(null as integer) as original_days,
        cast(null as integer) as current_days,
        cast(null as decimal(38, 2)) as original_contract_amount,
        cast(null as decimal(38, 2)) as contract_amount,
        cast(null as varchar) as customer_key,
        cast(null as varchar) as customer_group,
        cast(null as varchar) as customer_id,
        cast(null as varchar) as project_manager,
        cast(null as varchar) as region,
        cast(units.known_at as timestamp) as known_at
    from {{ ref('stg_jde__f0006') }} as units
    where units.business_unit_type in (
        {%- for t in jde_job_types %}'{{ t }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    )
),

unioned as (
    select * from vista
    union all
    select * from jde
),

final as (
    select
        job_key,
        {{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as company_key,
        source_system,
        company_id,
        job_number,
        job_description,
        contract_number,
        contract_description,
        job_status,
        contract_status,
        start_month,
        start_date,
        projected_close_date,
        actual_close_date,
        month_closed,
        original_days,
        current_days,
        original_contract_amount,
        contract_amount,
        customer_key,
        customer_group,
        customer_id,
        project_manager,
        region,
        known_at
    from unioned
)

select * from final
