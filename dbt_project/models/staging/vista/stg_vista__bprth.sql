with source as (
    select * from {{ source('vista', 'bPRTH') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "PRCo" as company,
        "PRGroup" as pr_group,
        {{ vista_date('"PREndDate"') }} as pr_end_date,
        "Employee" as employee,
        "PaySeq" as pay_seq,
        "PostSeq" as post_seq,
        "Type" as type,
        {{ vista_date('"PostDate"') }} as post_date,
        "JCCo" as jc_company,
        {{ vista_trim_code('"Job"') }} as job,
        "PhaseGroup" as phase_group,
        {{ vista_trim_code('"Phase"') }} as phase,
        "GLCo" as gl_company,
        "TaxState" as tax_state,
        "InsCode" as ins_code,
        "PRDept" as pr_dept,
        "Craft" as craft,
        "Class" as class,
        "EarnCode" as earn_code,
        "Shift" as shift,
        "Hours" as hours,
        "Rate" as rate,
        "Amt" as amt,
        "BatchId" as batch_id,
        "Memo" as memo,
        "KeyID" as key_id,
        {{ vista_known_at('"PostDate"', '"PREndDate"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
