with source as (
    select * from {{ source('netsuite', 'subsidiary') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as subsidiary_id,
        "name" as name,
        "fullname" as fullname,
        "legalname" as legalname,
        "country" as country,
        "state" as state,
        "currency" as currency_id,
        "fiscalcalendar" as fiscal_calendar_id,
        "parent" as parent_id,
        {{ netsuite_tf_to_bool('"iselimination"') }} as is_elimination,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
        "languagelocale" as languagelocale,
        "edition" as edition,
        "tranprefix" as tranprefix,
        "email" as email,
        "mainaddress" as mainaddress,
        {{ netsuite_tf_to_bool('"showsubsidiaryname"') }} as is_showsubsidiaryname,
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
