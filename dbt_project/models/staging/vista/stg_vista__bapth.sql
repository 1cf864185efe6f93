with source as (
    select * from {{ source('vista', 'bAPTH') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "APCo" as company,
        {{ vista_month('"Mth"') }} as month,
        "APTrans" as ap_trans,
        "VendorGroup" as vendor_group,
        "Vendor" as vendor,
        {{ vista_trim_code('"APRef"') }} as ap_ref,
        "Description" as description,
        {{ vista_date('"InvDate"') }} as inv_date,
        {{ vista_date('"DiscDate"') }} as disc_date,
        {{ vista_date('"DueDate"') }} as due_date,
        "InvTotal" as inv_total,
        "HoldCode" as hold_code,
        "PayControl" as pay_control,
        "PayMethod" as pay_method,
        "CMCo" as cm_company,
        "CMAcct" as cm_acct,
        {{ vista_yn_to_bool('"PrePaidYN"') }} as is_pre_paid,
        {{ vista_yn_to_bool('"V1099YN"') }} as is_1099,
        {{ vista_yn_to_bool('"OpenYN"') }} as is_open,
        "BatchId" as batch_id,
        {{ vista_yn_to_bool('"Purge"') }} as is_purge,
        "KeyID" as key_id,
        {{ vista_known_at('"InvDate"', '"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
