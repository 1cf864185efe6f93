with source as (
    select * from {{ source('jde', 'F0101') }}
    where not _erpml_deleted
),

renamed as (
    select
        cast("ABAN8" as bigint) as address_number,
        trim("ABALPH") as name,
        trim("ABAT1") as search_type,
        {{ erpml.jde_udc_description('01', 'ST', '"ABAT1"') }} as search_type_description,
        {{ erpml.jde_code('"ABMCU"') }} as business_unit,
        {{ erpml.jde_code('"ABAC01"') }} as category_code_01,
        {{ erpml.jde_udc_description('01', '01', '"ABAC01"') }} as category_code_01_description,
        {{ erpml.jde_code('"ABAC02"') }} as category_code_02,
        {{ erpml.jde_udc_description('01', '02', '"ABAC02"') }} as category_code_02_description,
        {{ erpml.jde_julian_to_date('"ABEFTB"') }} as effective_from,
        {{ erpml.jde_timestamp('"ABUPMJ"', '"ABUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
