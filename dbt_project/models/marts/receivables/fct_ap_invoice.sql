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
    The items come decoded from int_receivables__payables_decoded (incremental by landing
    batch); the Vista line totals, NetSuite payments, vendor keys and currencies are joined here.
-#}
with as_of as (
    select source_system, as_of_date from {{ ref('int_receivables__as_of') }}
),

decoded as (
    {#- the items decoded once, incrementally (int_receivables__payables_decoded) -#}
    select * from {{ ref('int_receivables__payables_decoded') }}
),

jde as (
    select
        source_system,
        ap_invoice_key,
        company_id,
        vendor_id,
        vendor_key,
        document_number,
        document_type,
        pay_item,
        invoice_date,
        due_date,
        transaction_currency_code,
        currency_code,
        gross_amount_transaction,
        gross_amount,
        open_amount,
        paid_date,
        invoice_known_at,
        last_changed_at
    from decoded
    where source_system = 'jde'
),

vista_companies as (
    select
        cast(company as varchar) as company_id,
        coalesce(trim(ud_currency), '{{ var("reporting_currency") }}') as currency_code
    from {{ ref('stg_vista__bhqco') }}
),

vista_lines as (
    select
        cast(company as varchar) as company_id,
        month,
        cast(ap_trans as bigint) as ap_trans,
        sum(case when status in ('open', 'hold') then amount else 0 end) as open_amount,
        sum(case when status in ('open', 'hold') then 1 else 0 end) as open_lines,
        max(paid_date) as last_paid_date
    from {{ ref('stg_vista__baptd') }}
    group by company, month, ap_trans
),

vista as (
    select
        h.source_system,
        h.ap_invoice_key,
        h.company_id,
        h.vendor_id,
        h.vendor_key,
        h.document_number,
        h.document_type,
        h.pay_item,
        h.invoice_date,
        h.due_date,
        co.currency_code as transaction_currency_code,
        co.currency_code,
        h.gross_amount_transaction,
        h.gross_amount,
        cast(coalesce(l.open_amount, h.gross_amount) as numeric(38, 6)) as open_amount,
        case when coalesce(l.open_lines, 1) = 0 then l.last_paid_date end as paid_date,
        h.invoice_known_at,
        cast(greatest(h.invoice_date, l.last_paid_date) as timestamp) as last_changed_at
    from decoded as h
    left join vista_lines as l
        on l.company_id = h.company_id and l.month = h.vista_month and l.ap_trans = h.vista_trans
    left join vista_companies as co on co.company_id = h.company_id
    where h.source_system = 'vista'
),

ns_currencies as (
    select currency_id, symbol from {{ ref('stg_netsuite__currency') }}
),

ns_subsidiaries as (
    select cast(s.subsidiary_id as varchar) as company_id, c.symbol as currency_code
    from {{ ref('stg_netsuite__subsidiary') }} as s
    left join ns_currencies as c on c.currency_id = s.currency_id
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
        b.source_system,
        b.ap_invoice_key,
        b.company_id,
        b.vendor_id,
        {{ erpml.erpml_key('netsuite', 'coalesce(cast(v.subsidiary_id as varchar), b.company_id)',
            ['b.entity_id']) }} as vendor_key,
        b.document_number,
        b.document_type,
        b.pay_item,
        b.invoice_date,
        b.due_date,
        tc.symbol as transaction_currency_code,
        sc.currency_code,
        b.gross_amount_transaction,
        b.gross_amount,
        b.open_amount,
        case when b.open_amount = 0 then pay.last_payment_date end as paid_date,
        b.invoice_known_at,
        b.last_changed_at
    from decoded as b
    left join {{ ref('stg_netsuite__vendor') }} as v on v.vendor_id = b.entity_id
    left join ns_currencies as tc on tc.currency_id = b.currency_id
    left join ns_subsidiaries as sc on sc.company_id = b.company_id
    left join ns_payments as pay on pay.bill_id = cast(b._source_id as bigint)
    where b.source_system = 'netsuite'
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
