{#-
    stg_netsuite__transactionaccountingline: the accounting lines as landed, decoded. The table
    has no audit column of its own: when a line became known is its transaction line's
    linelastmodifieddate (stg_netsuite__transactionline.known_at), which every consumer joins
    anyway; this view does not join the lines itself, so a consumer that reads only new
    transactions does not hash every transaction line to decode them.
-#}
with source as (
    select * from {{ source('netsuite', 'transactionaccountingline') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        source."transaction" as transaction_id,
        source."transactionline" as transaction_line_id,
        source."accountingbook" as accounting_book_id,
        source."account" as account_id,
        source."amount" as amount,
        source."debit" as debit,
        source."credit" as credit,
        source."netamount" as netamount,
        source."amountpaid" as amountpaid,
        source."amountunpaid" as amountunpaid,
        source."amountlinked" as amountlinked,
        source."paymentamountused" as paymentamountused,
        source."paymentamountunused" as paymentamountunused,
        source."exchangerate" as exchangerate,
        source."overheadparentitem" as overheadparentitem,
        {{ netsuite_tf_to_bool('source."posting"') }} as is_posting,
        source."_erpml_batch_id" as erpml_batch_id,
        source."_erpml_extracted_at" as erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
