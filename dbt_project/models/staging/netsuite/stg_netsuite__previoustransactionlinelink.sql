with source as (
    select * from {{ source('netsuite', 'previoustransactionlinelink') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "previousdoc" as previous_transaction_id,
        "previousline" as previous_line_id,
        "previoustype" as previoustype,
        "nextdoc" as next_transaction_id,
        "nextline" as next_line_id,
        "nexttype" as nexttype,
        "linktype" as linktype,
        "foreignamount" as foreignamount,
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
