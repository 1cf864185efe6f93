with source as (
    select * from {{ source('vista', 'bAPTL') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "APCo" as company,
        {{ vista_month('"Mth"') }} as month,
        "APTrans" as ap_trans,
        "APLine" as ap_line,
        "LineType" as line_type,
        "JCCo" as jc_company,
        {{ vista_trim_code('"Job"') }} as job,
        "PhaseGroup" as phase_group,
        {{ vista_trim_code('"Phase"') }} as phase,
        "JCCType" as jcc_type,
        "GLCo" as gl_company,
        {{ vista_trim_code('"GLAcct"') }} as gl_account,
        "Description" as description,
        "UM" as um,
        "Units" as units,
        "UnitCost" as unit_cost,
        "ECM" as ecm,
        "PayType" as pay_type,
        "GrossAmt" as gross_amt,
        "MiscAmt" as misc_amt,
        "TaxAmt" as tax_amt,
        "Retainage" as retainage,
        "Discount" as discount,
        "KeyID" as key_id,
        {{ vista_known_at('"Mth"', '"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
