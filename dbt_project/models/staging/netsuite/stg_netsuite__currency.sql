with source as (
    select * from {{ source('netsuite', 'currency') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as currency_id,
        "name" as name,
        "symbol" as symbol,
        "displaysymbol" as displaysymbol,
        "currencyprecision" as currencyprecision,
        "exchangerate" as exchangerate,
        {{ netsuite_tf_to_bool('"isbasecurrency"') }} as is_basecurrency,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
        {{ netsuite_tf_to_bool('"includeinfxrateupdates"') }} as is_includeinfxrateupdates,
        {{ netsuite_tf_to_bool('"overridecurrencyformat"') }} as is_overridecurrencyformat,
        "symbolplacement" as symbolplacement,
        "fxrateupdatetimezone" as fxrateupdatetimezone,
        "externalid" as externalid,
        "lastmodifieddate" as lastmodifieddate,
        {{ netsuite_known_at('"lastmodifieddate"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
