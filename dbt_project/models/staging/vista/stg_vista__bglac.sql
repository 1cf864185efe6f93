with source as (
    select * from {{ source('vista', 'bGLAC') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "GLCo" as company,
        {{ vista_trim_code('"GLAcct"') }} as gl_account,
        "Description" as description,
        "AcctType" as acct_type,
        "SubType" as sub_type,
        "NormBal" as norm_bal,
        {{ vista_yn_to_bool('"InterfaceDetail"') }} as is_interface_detail,
        {{ vista_yn_to_bool('"Active"') }} as is_active,
        {{ vista_trim_code('"SummaryAcct"') }} as summary_account,
        "CashAccrual" as cash_accrual,
        "Part1" as part1,
        "Part2" as part2,
        "Part3" as part3,
        {{ vista_trim_code('"udGroupAcct"') }} as group_account,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
