with source as (
    select * from {{ source('netsuite', 'accounttype') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as accounttype_id,
        "longname" as longname,
        {{ netsuite_tf_to_bool('"balancesheet"') }} as is_balancesheet,
        {{ netsuite_tf_to_bool('"left"') }} as is_left,
        "defaultgeneralratetype" as defaultgeneralratetype,
        "defaultcashflowratetype" as defaultcashflowratetype,
        "eliminationalgo" as eliminationalgo,
        {{ netsuite_tf_to_bool('"includeinrevaldefault"') }} as is_includeinrevaldefault,
        {{ netsuite_tf_to_bool('"usercanchangerevaloption"') }} as is_usercanchangerevaloption,
        "internalid" as internalid,
        "seqnum" as seqnum,
        {{ netsuite_known_at('"_erpml_extracted_at"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
