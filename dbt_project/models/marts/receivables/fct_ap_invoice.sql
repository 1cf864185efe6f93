{#-
    fct_ap_invoice: one row per vendor open item with its state on the as-of date of its source
    system (int_receivables__as_of):
    - JDE: one row per F0411 pay item (RPKCO, RPDCT, RPDOC, RPSFX, RPSFXE); open amount RPAAP.
      Payments (F0413/F0414) are not landed: paid_date is the date of RPUPMJ once the voucher
      is paid (RPAAP = 0), which the payment run stamps; a proxy (a later change to a paid
      voucher would move it).
    - Vista: one row per bAPTH header; open amount = bAPTD amounts of lines open or on hold;
      paid_date = the latest bAPTD PaidDate once no line is open or on hold.
    - NetSuite: one row per VendBill; gross = -amount of the main accounting line (payables
      credit) in subsidiary currency; open = its amountunpaid; paid_date = the latest trandate of
      the bill payments linked to it (previoustransactionlinelink 'Payment') once nothing is
      unpaid.
    days_late and status follow fct_ar_invoice (paid: paid - due; open past due: as-of - due).
-#}
with as_of as (
    select source_system, as_of_date from {{ ref('int_receivables__as_of') }}
),

jde as (
    select
        'jde' as source_system,
        v.ap_invoice_key,
        v.company_code as company_id,
        cast(v.supplier_number as varchar) as vendor_id,
        {{ erpml.erpml_key('jde', "'00000'", 'v.supplier_number') }} as vendor_key,
        cast(v.document_number as varchar) as document_number,
        v.document_type,
        v.pay_item || case when v.pay_item_extension <> 0
            then '.' || cast(v.pay_item_extension as varchar) else '' end as pay_item,
        v.invoice_date,
        v.due_date,
        v.transaction_currency_code,
        v.currency_code,
        cast({{ erpml.ar_same_currency_amount('v.gross_amount', 'v.transaction_currency_code',
            'v.currency_code', erpml.erpml_where('RPCRCD')) }} as numeric(38, 6))
            as gross_amount_transaction,
        cast(v.gross_amount as numeric(38, 6)) as gross_amount,
        cast(v.open_amount as numeric(38, 6)) as open_amount,
        case when v.open_amount = 0 then cast(v.known_at as date) end as paid_date,
        cast(v.invoice_date as timestamp) as invoice_known_at,
        v.known_at as last_changed_at
    from {{ ref('stg_jde__f0411') }} as v
),

vista_companies as (
    select
        company,
        coalesce(trim(ud_currency), '{{ var("reporting_currency") }}') as currency_code
    from {{ ref('stg_vista__bhqco') }}
),

vista_lines as (
    select
        company,
        month,
        ap_trans,
        sum(case when status in ('open', 'hold') then amount else 0 end) as open_amount,
        sum(case when status in ('open', 'hold') then 1 else 0 end) as open_lines,
        max(paid_date) as last_paid_date
    from {{ ref('stg_vista__baptd') }}
    group by company, month, ap_trans
),

vista as (
    select
        'vista' as source_system,
        {{ erpml.erpml_key('vista', 'h.company', ['h.month', 'h.ap_trans']) }} as ap_invoice_key,
        cast(h.company as varchar) as company_id,
        cast(h.vendor as varchar) as vendor_id,
        {{ erpml.erpml_key('vista', 'h.vendor_group', ['h.vendor']) }} as vendor_key,
        coalesce(h.ap_ref, cast(h.ap_trans as varchar)) as document_number,
        'AP' as document_type,
        cast(null as varchar) as pay_item,
        h.inv_date as invoice_date,
        h.due_date,
        co.currency_code as transaction_currency_code,
        co.currency_code,
        cast(h.inv_total as numeric(38, 6)) as gross_amount_transaction,
        cast(h.inv_total as numeric(38, 6)) as gross_amount,
        cast(coalesce(l.open_amount, h.inv_total) as numeric(38, 6)) as open_amount,
        case when coalesce(l.open_lines, 1) = 0 then l.last_paid_date end as paid_date,
        h.known_at as invoice_known_at,
        cast(greatest(h.inv_date, l.last_paid_date) as timestamp) as last_changed_at
    from {{ ref('stg_vista__bapth') }} as h
    left join vista_lines as l
        on l.company = h.company and l.month = h.month and l.ap_trans = h.ap_trans
    left join vista_companies as co on co.company = h.company
),

ns_currencies as (
    select currency_id, symbol from {{ ref('stg_netsuite__currency') }}
),

ns_main_lines as (
    select
        tl.transaction_id,
        tl.subsidiary_id,
        c.symbol as currency_code,
        tal.amount,
        tal.amountunpaid
    from {{ ref('stg_netsuite__transactionline') }} as tl
    left join {{ ref('stg_netsuite__subsidiary') }} as s on s.subsidiary_id = tl.subsidiary_id
    left join ns_currencies as c on c.currency_id = s.currency_id
    left join {{ ref('stg_netsuite__transactionaccountingline') }} as tal
        on tal.transaction_id = tl.transaction_id
        and tal.transaction_line_id = tl.transaction_line_id
        and tal.accounting_book_id = 1
    where tl.transaction_line_id = 0
),

ns_payments as (
    select k.previous_transaction_id as bill_id, max(p.trandate) as last_payment_date
    from {{ ref('stg_netsuite__previoustransactionlinelink') }} as k
    inner join {{ ref('stg_netsuite__transaction') }} as p
        on p.transaction_id = k.next_transaction_id
    where k.linktype = 'Payment' and k.previoustype = 'VendBill'
    group by k.previous_transaction_id
),

netsuite as (
    select
        'netsuite' as source_system,
        {{ erpml.erpml_key('netsuite', 'ml.subsidiary_id', ['t.transaction_id']) }}
            as ap_invoice_key,
        cast(ml.subsidiary_id as varchar) as company_id,
        cast(t.entity_id as varchar) as vendor_id,
        {{ erpml.erpml_key('netsuite', 'coalesce(v.subsidiary_id, ml.subsidiary_id)',
            ['t.entity_id']) }} as vendor_key,
        t.tranid as document_number,
        t.transaction_type as document_type,
        cast(null as varchar) as pay_item,
        t.trandate as invoice_date,
        t.duedate as due_date,
        tc.symbol as transaction_currency_code,
        ml.currency_code,
        cast(t.foreigntotal as numeric(38, 6)) as gross_amount_transaction,
        cast(-ml.amount as numeric(38, 6)) as gross_amount,
        cast(ml.amountunpaid as numeric(38, 6)) as open_amount,
        case when ml.amountunpaid = 0 then pay.last_payment_date end as paid_date,
        cast(t.createddate as timestamp) as invoice_known_at,
        t.known_at as last_changed_at
    from {{ ref('stg_netsuite__transaction') }} as t
    inner join ns_main_lines as ml on ml.transaction_id = t.transaction_id
    left join {{ ref('stg_netsuite__vendor') }} as v on v.vendor_id = t.entity_id
    left join ns_currencies as tc on tc.currency_id = t.currency_id
    left join ns_payments as pay on pay.bill_id = t.transaction_id
    where t.transaction_type = 'VendBill'
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

final as (
    select
        cast(u.ap_invoice_key as varchar) as ap_invoice_key,
        cast(u.source_system as varchar) as source_system,
        cast({{ erpml.erpml_key_parts(['u.source_system', 'u.company_id']) }} as varchar) as company_key,
        cast(u.company_id as varchar) as company_id,
        cast(u.vendor_key as varchar) as vendor_key,
        cast(u.vendor_id as varchar) as vendor_id,
        cast(u.document_number as varchar) as document_number,
        cast(u.document_type as varchar) as document_type,
        cast(u.pay_item as varchar) as pay_item,
        cast(u.invoice_date as date) as invoice_date,
        cast(u.due_date as date) as due_date,
        cast(u.transaction_currency_code as varchar) as transaction_currency_code,
        cast(u.currency_code as varchar) as currency_code,
        cast(u.gross_amount_transaction as numeric(38, 6)) as gross_amount_transaction,
        cast(u.gross_amount as numeric(38, 6)) as gross_amount,
        cast(u.open_amount as numeric(38, 6)) as open_amount,
        cast(u.paid_date as date) as paid_date,
        cast(case
            when u.open_amount = 0 then {{ erpml.ar_days_between('u.paid_date', 'u.due_date') }}
            when a.as_of_date > u.due_date
                then {{ erpml.ar_days_between('a.as_of_date', 'u.due_date') }}
        end as integer) as days_late,
        cast(case
            when u.open_amount = 0 then 'paid'
            when a.as_of_date > u.due_date then 'past_due'
            else 'open'
        end as varchar) as status,
        cast(a.as_of_date as date) as as_of_date,
        cast(u.invoice_known_at as timestamp) as invoice_known_at,
        cast(u.last_changed_at as timestamp) as last_changed_at,
        cast(u.last_changed_at as timestamp) as known_at
    from unioned as u
    left join as_of as a on a.source_system = u.source_system
)

select * from final
