with source as (
    select * from {{ source('jde', 'F0901') }}
    where not _erpml_deleted
),

renamed as (
    select
        trim("GMAID") as account_id,
        {{ erpml.jde_company('"GMCO"') }} as company_code,
        {{ erpml.jde_code('"GMMCU"') }} as business_unit,
        {{ erpml.jde_code('"GMOBJ"') }} as object_account,
        {{ erpml.jde_code('"GMSUB"') }} as subsidiary,
        trim("GMMCU") || '.' || trim("GMOBJ")
            || case when trim("GMSUB") = '' then '' else '.' || trim("GMSUB") end as account_code,
        trim("GMDL01") as account_name,
        {{ erpml.jde_code('"GMR021"') }} as category_code_21,
        {{ erpml.jde_code('"GMPEC"') }} as posting_edit_code,
        {{ erpml.jde_code('"GMLDA"') }} as level_of_detail,
        {{ erpml.jde_timestamp('"GMUPMJ"', '"GMUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
