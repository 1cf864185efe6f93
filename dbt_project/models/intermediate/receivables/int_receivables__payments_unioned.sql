{#-
    int_receivables__payments_unioned: applications of payments (and NetSuite credit memos) to
    AR open items, one row per landing row so that a source delete maps to one fact row:
    - JDE: one row per F03B14 receipt line (RZPYID, RZRC5), applied to one F03B11 pay item;
      the receipt (F03B13) gives the check number.
    - Vista: one row per bARTL line of a receipt header (ARTransType 'P'), applied through
      ApplyMth / ApplyTrans to an invoice header; the applied amount is -Amount; the payment date
      is the receipt header's TransDate.
    - NetSuite: one row per previoustransactionlinelink row of linktype 'Payment' from a CustInvc
      to a CustPymt (payment) or CustCred (credit memo); applied amount = the link's
      foreignamount; payment date = the paying transaction's trandate. NetSuite internal ids are
      unique in the account, so the company part of this key is empty (NULL) and the key can be
      computed from the link row alone (tombstones).
    `source_table` and `_erpml_batch_id` name the landing row (incremental fct_ar_payment).
-#}
with jde_receipts as (
    select payment_id, receipt_number from {{ ref('stg_jde__f03b13') }}
),

jde as (
    select
        'jde' as source_system,
        {{ erpml.ar_jde_application_key('a.company_code', 'a.payment_id', 'a.payment_line_number') }}
            as payment_application_key,
        {{ erpml.erpml_key('jde', 'a.company_code', ['a.payment_id']) }} as payment_key,
        a.ar_invoice_key as invoice_key,
        a.company_code as company_id,
        cast(a.customer_number as varchar) as customer_id,
        'receipt' as payment_type,
        r.receipt_number as payment_number,
        a.receipt_date as payment_date,
        a.transaction_currency_code,
        a.currency_code,
        cast(a.applied_amount as numeric(38, 6)) as applied_amount_transaction,
        cast({{ erpml.ar_same_currency_amount('a.applied_amount', 'a.transaction_currency_code',
            'a.currency_code', erpml.erpml_where('RZCRCD')) }} as numeric(38, 6)) as applied_amount,
        a.known_at,
        'F03B14' as source_table,
        a._erpml_batch_id
    from {{ ref('stg_jde__f03b14') }} as a
    left join jde_receipts as r on r.payment_id = a.payment_id
),

vista_companies as (
    select
        company,
        coalesce(trim(ud_currency), '{{ var("reporting_currency") }}') as currency_code
    from {{ ref('stg_vista__bhqco') }}
),

vista as (
    select
        'vista' as source_system,
        {{ erpml.ar_vista_application_key('l.company', 'l.month', 'l.ar_trans', 'l.ar_line') }}
            as payment_application_key,
        {{ erpml.erpml_key('vista', 'l.company', ['l.month', 'l.ar_trans']) }} as payment_key,
        {{ erpml.erpml_key('vista', 'l.company', ['l.apply_month', 'l.apply_trans']) }}
            as invoice_key,
        cast(l.company as varchar) as company_id,
        cast(h.customer as varchar) as customer_id,
        'receipt' as payment_type,
        h.check_no as payment_number,
        h.trans_date as payment_date,
        co.currency_code as transaction_currency_code,
        co.currency_code,
        cast(-l.amount as numeric(38, 6)) as applied_amount_transaction,
        cast(-l.amount as numeric(38, 6)) as applied_amount,
        h.known_at,
        'bARTL' as source_table,
        l.erpml_batch_id as _erpml_batch_id
    from {{ ref('stg_vista__bartl') }} as l
    inner join {{ ref('stg_vista__barth') }} as h
        on h.company = l.company and h.month = l.month and h.ar_trans = l.ar_trans
    left join vista_companies as co on co.company = l.company
    where h.ar_trans_type = 'P'
),

ns_currencies as (
    select currency_id, symbol from {{ ref('stg_netsuite__currency') }}
),

ns_main_lines as (
    select tl.transaction_id, tl.subsidiary_id, c.symbol as currency_code
    from {{ ref('stg_netsuite__transactionline') }} as tl
    left join {{ ref('stg_netsuite__subsidiary') }} as s on s.subsidiary_id = tl.subsidiary_id
    left join ns_currencies as c on c.currency_id = s.currency_id
    where tl.transaction_line_id = 0
),

netsuite as (
    select
        'netsuite' as source_system,
        {{ erpml.ar_netsuite_application_key('k.previous_transaction_id', 'k.previous_line_id',
            'k.next_transaction_id', 'k.next_line_id') }} as payment_application_key,
        {{ erpml.erpml_key('netsuite', 'pl.subsidiary_id', ['k.next_transaction_id']) }}
            as payment_key,
        {{ erpml.erpml_key('netsuite', 'il.subsidiary_id', ['k.previous_transaction_id']) }}
            as invoice_key,
        cast(pl.subsidiary_id as varchar) as company_id,
        cast(p.entity_id as varchar) as customer_id,
        case p.transaction_type
            when 'CustPymt' then 'receipt'
            when 'CustCred' then 'credit_memo'
            else 'other'
        end as payment_type,
        p.tranid as payment_number,
        p.trandate as payment_date,
        pc.symbol as transaction_currency_code,
        pl.currency_code,
        cast(k.foreignamount as numeric(38, 6)) as applied_amount_transaction,
        cast({{ erpml.ar_same_currency_amount('k.foreignamount', 'pc.symbol', 'pl.currency_code',
            erpml.erpml_where('foreignamount')) }} as numeric(38, 6)) as applied_amount,
        k.known_at,
        'previoustransactionlinelink' as source_table,
        k.erpml_batch_id as _erpml_batch_id
    from {{ ref('stg_netsuite__previoustransactionlinelink') }} as k
    inner join {{ ref('stg_netsuite__transaction') }} as p
        on p.transaction_id = k.next_transaction_id
    left join ns_main_lines as pl on pl.transaction_id = k.next_transaction_id
    left join ns_main_lines as il on il.transaction_id = k.previous_transaction_id
    left join ns_currencies as pc on pc.currency_id = p.currency_id
    where k.linktype = 'Payment' and k.previoustype = 'CustInvc'
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

final as (
    select
        payment_application_key,
        payment_key,
        invoice_key,
        source_system,
        {{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as company_key,
        company_id,
        customer_id,
        payment_type,
        payment_number,
        payment_date,
        transaction_currency_code,
        currency_code,
        applied_amount_transaction,
        applied_amount,
        known_at,
        source_table,
        _erpml_batch_id
    from unioned
)

select * from final
