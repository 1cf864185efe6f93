with source as (
    select * from {{ source('jde', 'F4102') }}
    where not _erpml_deleted
),

renamed as (
    select
        cast("IBITM" as bigint) as item_number,
        {{ erpml.jde_code('"IBMCU"') }} as branch_plant,
        trim("IBLITM") as item_code,
        {{ erpml.jde_timestamp('"IBUPMJ"', '"IBTDAY"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
