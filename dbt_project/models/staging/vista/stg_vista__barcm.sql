with source as (
    select * from {{ source('vista', 'bARCM') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "CustGroup" as customer_group,
        "Customer" as customer,
        "Name" as name,
        "SortName" as sort_name,
        {{ vista_yn_to_bool('"TempYN"') }} as is_temp,
        "Phone" as phone,
        "EMail" as email,
        "Address" as address,
        "City" as city,
        "State" as state,
        "Zip" as zip,
        "Country" as country,
        "Contact" as contact,
        "PayTerms" as pay_terms,
        "CreditLimit" as credit_limit,
        {{ vista_yn_to_bool('"StmntPrint"') }} as is_stmnt_print,
        {{ vista_yn_to_bool('"FCType"') }} as is_fc_type,
        "Status" as status,
        "RecType" as rec_type,
        "udSegment" as ud_segment,
        "udCategory" as ud_category,
        {{ vista_date('"udCustSince"') }} as ud_cust_since,
        "KeyID" as key_id,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
