with source as (
    select * from {{ source('vista', 'bAPVM') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "VendorGroup" as vendor_group,
        "Vendor" as vendor,
        "SortName" as sort_name,
        "Name" as name,
        "Type" as type,
        {{ vista_yn_to_bool('"TempYN"') }} as is_temp,
        "Contact" as contact,
        "Phone" as phone,
        "Address" as address,
        "City" as city,
        "State" as state,
        "Zip" as zip,
        "PayTerms" as pay_terms,
        "GLCo" as gl_company,
        {{ vista_trim_code('"GLAcct"') }} as gl_account,
        {{ vista_yn_to_bool('"V1099YN"') }} as is_1099,
        "TaxId" as tax_id,
        {{ vista_yn_to_bool('"ActiveYN"') }} as is_active,
        {{ vista_yn_to_bool('"EFT"') }} as is_eft,
        "udTrade" as ud_trade,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
