with source as (
    select * from {{ source('vista', 'bGLDT') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "GLCo" as company,
        {{ vista_month('"Mth"') }} as month,
        "GLTrans" as gl_trans,
        {{ vista_trim_code('"GLAcct"') }} as gl_account,
        "Jrnl" as jrnl,
        "GLRef" as gl_ref,
        "SourceCo" as source_co,
        "Source" as source,
        {{ vista_date('"ActDate"') }} as act_date,
        {{ vista_date('"DatePosted"') }} as date_posted,
        "Description" as description,
        "BatchId" as batch_id,
        "Amount" as amount,
        "RevStatus" as rev_status,
        {{ vista_yn_to_bool('"Adjust"') }} as is_adjust,
        {{ vista_yn_to_bool('"Purge"') }} as is_purge,
        {{ vista_known_at('"DatePosted"', '"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
