with source as (
    select * from {{ source('vista', 'bJCCI') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "JCCo" as company,
        {{ vista_trim_code('"Contract"') }} as contract,
        {{ vista_trim_code('"Item"') }} as item,
        "Description" as description,
        "Department" as department,
        "UM" as um,
        "RetainPCT" as retain_pct,
        "OrigContractAmt" as orig_contract_amt,
        "OrigContractUnits" as orig_contract_units,
        "OrigUnitPrice" as orig_unit_price,
        "ContractAmt" as contract_amt,
        "ContractUnits" as contract_units,
        "UnitPrice" as unit_price,
        "BilledAmt" as billed_amt,
        "BilledUnits" as billed_units,
        "ReceivedAmt" as received_amt,
        "CurrentRetainAmt" as current_retain_amt,
        "BillType" as bill_type,
        {{ vista_month('"StartMonth"') }} as start_month,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
