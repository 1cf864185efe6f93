with source as (
    select * from {{ source('jde', 'F0013') }}
    where not _erpml_deleted
),

renamed as (
    select
        trim("CVCRCD") as currency_code,
        trim("CVDL01") as currency_name,
        cast(nullif(trim("CVCDEC"), '') as integer) as currency_decimals,
        {{ erpml.jde_timestamp('"CVUPMJ"', '"CVUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
