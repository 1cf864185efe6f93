with source as (
    select * from {{ source('vista', 'bJCCH') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "JCCo" as company,
        {{ vista_trim_code('"Job"') }} as job,
        "PhaseGroup" as phase_group,
        {{ vista_trim_code('"Phase"') }} as phase,
        "CostType" as cost_type,
        "UM" as um,
        "BillFlag" as bill_flag,
        {{ vista_yn_to_bool('"ItemUnitFlag"') }} as is_item_unit_flag,
        {{ vista_yn_to_bool('"PhaseUnitFlag"') }} as is_phase_unit_flag,
        {{ vista_yn_to_bool('"BuyOutYN"') }} as is_buy_out,
        {{ vista_date('"LastProjDate"') }} as last_proj_date,
        {{ vista_yn_to_bool('"Plugged"') }} as is_plugged,
        {{ vista_yn_to_bool('"ActiveYN"') }} as is_active,
        "OrigHours" as orig_hours,
        "OrigUnits" as orig_units,
        "OrigCost" as orig_cost,
        "SourceStatus" as source_status,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
