with source as (
    select * from {{ source('jde', 'F0101') }}
    where not _erpml_deleted
),

renamed as (
    select
        cast("ABAN8" as bigint) as address_number,
        trim("ABALPH") as name,
        trim("ABAT1") as search_type,
        search_types.description as search_type_description,
        {{ erpml.jde_code('"ABMCU"') }} as business_unit,
        {{ erpml.jde_code('"ABAC01"') }} as category_code_01,
        category_codes_01.description as category_code_01_description,
        {{ erpml.jde_code('"ABAC02"') }} as category_code_02,
        category_codes_02.description as category_code_02_description,
        {{ erpml.jde_julian_to_date('"ABEFTB"') }} as effective_from,
        {{ erpml.jde_timestamp('"ABUPMJ"', '"ABUPMT"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    {{ erpml.jde_udc_join('01', 'ST', 'source."ABAT1"', 'search_types') }}
    {{ erpml.jde_udc_join('01', '01', 'source."ABAC01"', 'category_codes_01') }}
    {{ erpml.jde_udc_join('01', '02', 'source."ABAC02"', 'category_codes_02') }}
),

final as (
    select * from renamed
)

select * from final
