with source as (
    select * from {{ source('vista', 'bARTH') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "ARCo" as company,
        {{ vista_month('"Mth"') }} as month,
        "ARTrans" as ar_trans,
        "ARTransType" as ar_trans_type,
        "CustGroup" as customer_group,
        "Customer" as customer,
        "CustRef" as cust_ref,
        "RecType" as rec_type,
        "JCCo" as jc_company,
        {{ vista_trim_code('"Contract"') }} as contract,
        {{ vista_trim_code('"Invoice"') }} as invoice,
        "CheckNo" as check_no,
        "Source" as source,
        {{ vista_date('"TransDate"') }} as trans_date,
        {{ vista_date('"DueDate"') }} as due_date,
        {{ vista_date('"CheckDate"') }} as check_date,
        "Description" as description,
        "CMCo" as cm_company,
        "CMAcct" as cm_acct,
        "CreditAmt" as credit_amt,
        "PayTerms" as pay_terms,
        "Invoiced" as invoiced,
        "Paid" as paid,
        "Retainage" as retainage,
        "DiscTaken" as disc_taken,
        "AmountDue" as amount_due,
        {{ vista_date('"PayFullDate"') }} as pay_full_date,
        {{ vista_yn_to_bool('"PurgeFlag"') }} as is_purge_flag,
        "BatchId" as batch_id,
        "KeyID" as key_id,
        {{ vista_known_at('"TransDate"', '"Mth"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
