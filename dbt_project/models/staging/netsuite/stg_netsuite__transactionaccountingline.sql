with source as (
    select * from {{ source('netsuite', 'transactionaccountingline') }}
    where not "_erpml_deleted"
),

lines as (
    select * from {{ source('netsuite', 'transactionline') }}
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
        source."_erpml_extracted_at" as erpml_extracted_at,
        {{ netsuite_known_at('lines."linelastmodifieddate"') }} as known_at
    from source
    left join lines
        on source."transaction" = lines."transaction"
        and source."transactionline" = lines."id"
),

final as (
    select * from renamed
)

select * from final
