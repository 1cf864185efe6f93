with source as (
    select * from {{ source('vista', 'bJCCP') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "JCCo" as company,
        {{ vista_trim_code('"Job"') }} as job,
        "PhaseGroup" as phase_group,
        {{ vista_trim_code('"Phase"') }} as phase,
        "CostType" as cost_type,
        {{ vista_month('"Mth"') }} as month,
        "ActualHours" as actual_hours,
        "ActualUnits" as actual_units,
        "ActualCost" as actual_cost,
        "OrigEstHours" as orig_est_hours,
        "OrigEstUnits" as orig_est_units,
        "OrigEstCost" as orig_est_cost,
        "CurrEstHours" as curr_est_hours,
        "CurrEstUnits" as curr_est_units,
        "CurrEstCost" as curr_est_cost,
        "ProjHours" as proj_hours,
        "ProjUnits" as proj_units,
        "ProjCost" as proj_cost,
        "ForecastHours" as forecast_hours,
        "ForecastUnits" as forecast_units,
        "ForecastCost" as forecast_cost,
        "TotalCmtdUnits" as total_cmtd_units,
        "TotalCmtdCost" as total_cmtd_cost,
        "RemainCmtdUnits" as remain_cmtd_units,
        "RemainCmtdCost" as remain_cmtd_cost,
        "RecvdNotInvcdUnits" as recvd_not_invcd_units,
        "RecvdNotInvcdCost" as recvd_not_invcd_cost,
        {{ vista_month_end('"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
