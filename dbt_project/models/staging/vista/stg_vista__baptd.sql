with source as (
    select * from {{ source('vista', 'bAPTD') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "APCo" as company,
        {{ vista_month('"Mth"') }} as month,
        "APTrans" as ap_trans,
        "APLine" as ap_line,
        "APSeq" as ap_seq,
        "PayType" as pay_type,
        "Amount" as amount,
        "DiscOffer" as disc_offer,
        "DiscTaken" as disc_taken,
        {{ vista_date('"DueDate"') }} as due_date,
        "Status" as status_code,
        {{ vista_ap_status('"Status"') }} as status,
        {{ vista_month('"PaidMth"') }} as paid_month,
        {{ vista_date('"PaidDate"') }} as paid_date,
        "CMCo" as cm_company,
        "CMAcct" as cm_acct,
        "PayMethod" as pay_method,
        {{ vista_trim_code('"CMRef"') }} as cm_ref,
        "CMRefSeq" as cm_ref_seq,
        "VendorGroup" as vendor_group,
        "TotTaxAmount" as tot_tax_amount,
        "KeyID" as key_id,
        {{ vista_known_at('"PaidDate"', '"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
