with source as (
    select * from {{ source('jde', 'F4101') }}
    where not _erpml_deleted
),

renamed as (
    select
        cast("IMITM" as bigint) as item_number,
        trim("IMLITM") as item_code,
        trim("IMDSC1") as item_description,
        {{ erpml.jde_code('"IMSTKT"') }} as stocking_type,
        {{ erpml.jde_code('"IMGLPT"') }} as gl_class,
        {{ erpml.jde_code('"IMUOM1"') }} as primary_unit_of_measure,
        {{ erpml.jde_code('"IMSRP1"') }} as sales_category_code_1,
        sales_categories.description as sales_category_code_1_description,
        {{ erpml.jde_timestamp('"IMUPMJ"', '"IMTDAY"') }} as known_at,
        source._erpml_batch_id,
        source._erpml_extracted_at
    from source
    {{ erpml.jde_udc_join('41', 'S1', 'source."IMSRP1"', 'sales_categories') }}
),

final as (
    select * from renamed
)

select * from final
