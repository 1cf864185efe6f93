with source as (
    select * from {{ source('vista', 'bGLBL') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "GLCo" as company,
        {{ vista_trim_code('"GLAcct"') }} as gl_account,
        {{ vista_month('"Mth"') }} as month,
        "NetActivity" as net_activity,
        "Debits" as debits,
        "Credits" as credits,
        "KeyID" as key_id,
        {{ vista_month_end('"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
