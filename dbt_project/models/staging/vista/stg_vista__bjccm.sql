with source as (
    select * from {{ source('vista', 'bJCCM') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "JCCo" as company,
        {{ vista_trim_code('"Contract"') }} as contract,
        "Description" as description,
        "Department" as department,
        "ContractStatus" as contract_status_code,
        {{ vista_job_status('"ContractStatus"') }} as contract_status,
        "OriginalDays" as original_days,
        "CurrentDays" as current_days,
        {{ vista_month('"StartMonth"') }} as start_month,
        {{ vista_month('"MonthClosed"') }} as month_closed,
        {{ vista_date('"ProjCloseDate"') }} as proj_close_date,
        {{ vista_date('"ActualCloseDate"') }} as actual_close_date,
        "CustGroup" as customer_group,
        "Customer" as customer,
        "PayTerms" as pay_terms,
        "TaxGroup" as tax_group,
        "RetainagePCT" as retainage_pct,
        "DefaultBillType" as default_bill_type,
        "OrigContractAmt" as orig_contract_amt,
        "ContractAmt" as contract_amt,
        "BilledAmt" as billed_amt,
        "ReceivedAmt" as received_amt,
        "CurrentRetainAmt" as current_retain_amt,
        {{ vista_date('"StartDate"') }} as start_date,
        "udSalesPerson" as ud_sales_person,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
