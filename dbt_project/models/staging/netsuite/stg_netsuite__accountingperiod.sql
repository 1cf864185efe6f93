with source as (
    select * from {{ source('netsuite', 'accountingperiod') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as accountingperiod_id,
        "periodname" as periodname,
        {{ netsuite_date('"startdate"') }} as startdate,
        {{ netsuite_date('"enddate"') }} as enddate,
        "parent" as parent_id,
        {{ netsuite_tf_to_bool('"isquarter"') }} as is_quarter,
        {{ netsuite_tf_to_bool('"isyear"') }} as is_year,
        {{ netsuite_tf_to_bool('"isadjust"') }} as is_adjust,
        {{ netsuite_tf_to_bool('"isposting"') }} as is_posting,
        {{ netsuite_tf_to_bool('"isinactive"') }} as is_inactive,
        {{ netsuite_tf_to_bool('"closed"') }} as is_closed,
        {{ netsuite_date('"closedondate"') }} as closedondate,
        {{ netsuite_tf_to_bool('"alllocked"') }} as is_alllocked,
        {{ netsuite_tf_to_bool('"aplocked"') }} as is_aplocked,
        {{ netsuite_tf_to_bool('"arlocked"') }} as is_arlocked,
        {{ netsuite_tf_to_bool('"allownonglchanges"') }} as is_allownonglchanges,
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
