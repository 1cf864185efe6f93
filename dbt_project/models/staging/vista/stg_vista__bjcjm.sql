with source as (
    select * from {{ source('vista', 'bJCJM') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "JCCo" as company,
        {{ vista_trim_code('"Job"') }} as job,
        "Description" as description,
        {{ vista_trim_code('"Contract"') }} as contract,
        "JobStatus" as job_status_code,
        {{ vista_job_status('"JobStatus"') }} as job_status,
        {{ vista_yn_to_bool('"LockPhases"') }} as is_lock_phases,
        "ProjectMgr" as project_mgr,
        "JobPhone" as job_phone,
        "MailAddress" as mail_address,
        "MailCity" as mail_city,
        "MailState" as mail_state,
        "MailZip" as mail_zip,
        "VendorGroup" as vendor_group,
        "TaxGroup" as tax_group,
        "TaxCode" as tax_code,
        {{ vista_yn_to_bool('"Certified"') }} as is_certified,
        "ProjMinPct" as proj_min_pct,
        "SecurityGroup" as security_group,
        {{ vista_yn_to_bool('"UpdateAPActualsYN"') }} as is_update_ap_actuals,
        "udProjectManager" as ud_project_manager,
        "udRegion" as ud_region,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
