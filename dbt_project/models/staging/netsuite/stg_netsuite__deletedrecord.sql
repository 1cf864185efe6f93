with source as (
    select * from {{ source('netsuite', 'deletedrecord') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "recordid" as recordid,
        "type" as type,
        "recordtypeid" as recordtypeid,
        "name" as name,
        "deleteddate" as deleteddate,
        "deletedby" as deletedby,
        "context" as context,
        {{ netsuite_tf_to_bool('"istransaction"') }} as is_transaction,
        {{ netsuite_tf_to_bool('"iscustomtransaction"') }} as is_customtransaction,
        {{ netsuite_tf_to_bool('"iscustomrecord"') }} as is_customrecord,
        {{ netsuite_tf_to_bool('"iscustomlist"') }} as is_customlist,
        "scriptid" as scriptid,
        {{ netsuite_known_at('"deleteddate"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
