with source as (
    select * from {{ source('netsuite', 'consolidatedexchangerate') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as consolidatedexchangerate_id,
        "postingperiod" as posting_period_id,
        "fromsubsidiary" as from_subsidiary_id,
        "tosubsidiary" as to_subsidiary_id,
        "fromcurrency" as from_currency_id,
        "tocurrency" as to_currency_id,
        "accountingbook" as accounting_book_id,
        "averagerate" as averagerate,
        "currentrate" as currentrate,
        "historicalrate" as historicalrate,
        "externalid" as externalid,
        {{ netsuite_known_at('"_erpml_extracted_at"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
