with source as (
    select * from {{ source('netsuite', 'transactionline') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "transaction" as transaction_id,
        "id" as transaction_line_id,
        "linesequencenumber" as linesequencenumber,
        "uniquekey" as uniquekey,
        {{ netsuite_tf_to_bool('"mainline"') }} as is_mainline,
        {{ netsuite_tf_to_bool('"taxline"') }} as is_taxline,
        {{ netsuite_tf_to_bool('"iscogs"') }} as is_cogs,
        {{ netsuite_tf_to_bool('"isclosed"') }} as is_closed,
        {{ netsuite_tf_to_bool('"isbillable"') }} as is_billable,
        {{ netsuite_tf_to_bool('"cleared"') }} as is_cleared,
        {{ netsuite_tf_to_bool('"commitmentfirm"') }} as is_commitmentfirm,
        {{ netsuite_tf_to_bool('"eliminate"') }} as is_eliminate,
        {{ netsuite_tf_to_bool('"transactiondiscount"') }} as is_transactiondiscount,
        "subsidiary" as subsidiary_id,
        "department" as department_id,
        "class" as class_id,
        "location" as location_id,
        "entity" as entity_id,
        "item" as item_id,
        "itemtype" as itemtype,
        "expenseaccount" as expenseaccount,
        "quantity" as quantity,
        "rate" as rate,
        "netamount" as netamount,
        "foreignamount" as foreignamount,
        "foreignamountpaid" as foreignamountpaid,
        "foreignamountunpaid" as foreignamountunpaid,
        "memo" as memo,
        "linelastmodifieddate" as linelastmodifieddate,
        {{ netsuite_known_at('"linelastmodifieddate"') }} as known_at,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
