with source as (
    select * from {{ source('vista', 'bHQCO') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "HQCo" as company,
        "Name" as name,
        "Address" as address,
        "City" as city,
        "State" as state,
        "Zip" as zip,
        "Country" as country,
        "Phone" as phone,
        "FedTaxId" as fed_tax_id,
        "VendorGroup" as vendor_group,
        "CustGroup" as customer_group,
        "PhaseGroup" as phase_group,
        "MatlGroup" as matl_group,
        "TaxGroup" as tax_group,
        "EMGroup" as em_group,
        "DefaultCountry" as default_country,
        {{ vista_yn_to_bool('"AuditCoParams"') }} as is_audit_co_params,
        "udCurrency" as ud_currency,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
