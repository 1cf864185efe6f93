with source as (
    select * from {{ source('netsuite', 'accountingbook') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as accountingbook_id,
        "name" as name,
        "basebook" as base_book_id,
        "effectiveperiod" as effective_period_id,
        {{ netsuite_tf_to_bool('"isprimary"') }} as is_primary,
        {{ netsuite_tf_to_bool('"isconsolidated"') }} as is_consolidated,
        {{ netsuite_tf_to_bool('"isadjustmentonly"') }} as is_adjustmentonly,
        "subsidiariesstring" as subsidiariesstring,
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
