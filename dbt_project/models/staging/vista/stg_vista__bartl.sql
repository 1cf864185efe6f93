with source as (
    select * from {{ source('vista', 'bARTL') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "ARCo" as company,
        {{ vista_month('"Mth"') }} as month,
        "ARTrans" as ar_trans,
        "ARLine" as ar_line,
        "RecType" as rec_type,
        "LineType" as line_type,
        "Description" as description,
        "GLCo" as gl_company,
        {{ vista_trim_code('"GLAcct"') }} as gl_account,
        "Amount" as amount,
        "TaxAmount" as tax_amount,
        "RetgPct" as retg_pct,
        "Retainage" as retainage,
        "DiscTaken" as disc_taken,
        {{ vista_month('"ApplyMth"') }} as apply_month,
        "ApplyTrans" as apply_trans,
        "ApplyLine" as apply_line,
        "JCCo" as jc_company,
        {{ vista_trim_code('"Contract"') }} as contract,
        {{ vista_trim_code('"Item"') }} as item,
        {{ vista_trim_code('"Job"') }} as job,
        {{ vista_date('"ActDate"') }} as act_date,
        "KeyID" as key_id,
        {{ vista_known_at('"ActDate"', '"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
