with source as (
    select * from {{ source('netsuite', 'transaction') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "id" as transaction_id,
        "tranid" as tranid,
        "transactionnumber" as transactionnumber,
        "type" as transaction_type,
        "recordtype" as recordtype,
        "abbrevtype" as abbrevtype,
        "status" as status_code,
        {{ netsuite_date('"trandate"') }} as trandate,
        {{ netsuite_date('"duedate"') }} as duedate,
        {{ netsuite_date('"closedate"') }} as closedate,
        "postingperiod" as posting_period_id,
        "entity" as entity_id,
        "currency" as currency_id,
        "exchangerate" as exchangerate,
        "foreigntotal" as foreigntotal,
        "foreignamountunpaid" as foreignamountunpaid,
        "terms" as terms_id,
        "memo" as memo,
        {{ netsuite_tf_to_bool('"posting"') }} as is_posting,
        {{ netsuite_tf_to_bool('"voided"') }} as is_voided,
        {{ netsuite_tf_to_bool('"intercoadj"') }} as is_intercoadj,
        {{ netsuite_tf_to_bool('"isreversal"') }} as is_reversal,
        "reversal" as reversal_transaction_id,
        {{ netsuite_date('"reversaldate"') }} as reversaldate,
        {{ netsuite_tf_to_bool('"reversaldefer"') }} as is_reversaldefer,
        "nexus" as nexus,
        {{ netsuite_tf_to_bool('"taxregoverride"') }} as is_taxregoverride,
        {{ netsuite_tf_to_bool('"taxdetailsoverride"') }} as is_taxdetailsoverride,
        {{ netsuite_date('"taxpointdate"') }} as taxpointdate,
        {{ netsuite_tf_to_bool('"taxpointdateoverride"') }} as is_taxpointdateoverride,
        "createdby" as created_by_id,
        "lastmodifiedby" as last_modified_by_id,
        "externalid" as externalid,
        "createddate" as createddate,
        "lastmodifieddate" as lastmodifieddate,
        {{ netsuite_status_key('"type"', '"status"') }} as status_key,
        {{ netsuite_status_key('"abbrevtype"', '"status"') }} as status_key_abbrev,
        {{ netsuite_known_at('"lastmodifieddate"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

status_codes as (
    select * from {{ ref('netsuite_status_codes') }}
),

final as (
    select
        renamed.*,
        coalesce(by_type.description, by_abbrev.description) as status
    from renamed
    left join status_codes as by_type on renamed.status_key = by_type.status_key
    left join status_codes as by_abbrev on renamed.status_key_abbrev = by_abbrev.status_key
)

select * from final
