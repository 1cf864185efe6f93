with source as (
    select * from {{ source('vista', 'bJCJP') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "JCCo" as company,
        {{ vista_trim_code('"Job"') }} as job,
        "PhaseGroup" as phase_group,
        {{ vista_trim_code('"Phase"') }} as phase,
        "Description" as description,
        {{ vista_trim_code('"Contract"') }} as contract,
        {{ vista_trim_code('"Item"') }} as item,
        "ProjMinPct" as proj_min_pct,
        {{ vista_yn_to_bool('"ActiveYN"') }} as is_active,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
