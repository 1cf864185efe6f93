{#-
    int_receivables__invoices_unioned: AR open items of JDE, Vista and NetSuite in one shape,
    before applications (see int_receivables__invoices_settled).

    Grain and keys (documented in models/marts/receivables/README.md):
    - JDE: one row per F03B11 pay item (RPKCO, RPDCT, RPDOC, RPSFX): in JDE each pay item is
      its own open item with its own due date, and receipts (F03B14) apply to a pay item.
      All document types are kept (RI invoices, RM credit memos, others as `other`).
    - Vista: one row per bARTH invoice header (ARTransType 'I'), key (ARCo, Mth, ARTrans).
    - NetSuite: one row per CustInvc transaction, key (subsidiary, transaction id).
    customer_key follows dim_customer: JDE (F03012 company of the customer in the invoice's
    company, else '00000'), Vista (CustGroup), NetSuite (the customer's subsidiary).
-#}
with jde_invoices as (
    select * from {{ ref('stg_jde__f03b11') }}
),

jde_customer_companies as (
    select customer_key, address_number, company_code from {{ ref('stg_jde__f03012') }}
),

jde as (
    select
        'jde' as source_system,
        i.ar_invoice_key as invoice_key,
        i.company_code as company_id,
        cast(i.customer_number as varchar) as customer_id,
        coalesce(
            c.customer_key,
            {{ erpml.erpml_key('jde', "'00000'", 'i.customer_number') }}
        ) as customer_key,
        cast(i.document_number as varchar) as document_number,
        i.document_type,
        i.pay_item,
        case i.document_type
            when 'RI' then 'invoice'
            when 'RM' then 'credit_memo'
            else 'other'
        end as document_kind,
        i.invoice_date,
        i.due_date,
        i.transaction_currency_code,
        i.currency_code,
        cast({{ erpml.ar_same_currency_amount('i.gross_amount', 'i.transaction_currency_code',
            'i.currency_code', erpml.erpml_where('RPCRCD')) }} as numeric(38, 6))
            as gross_amount_transaction,
        cast(i.gross_amount as numeric(38, 6)) as gross_amount,
        cast(i.open_amount as numeric(38, 6)) as erp_open_amount,
        cast(i.invoice_date as timestamp) as invoice_known_at,
        i.known_at as last_changed_at
    from jde_invoices as i
    left join jde_customer_companies as c
        on c.address_number = i.customer_number and c.company_code = i.company_code
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
        {{ erpml.erpml_key('vista', 'h.company', ['h.month', 'h.ar_trans']) }} as invoice_key,
        cast(h.company as varchar) as company_id,
        cast(h.customer as varchar) as customer_id,
        {{ erpml.erpml_key('vista', 'h.customer_group', ['h.customer']) }} as customer_key,
        coalesce(h.invoice, cast(h.ar_trans as varchar)) as document_number,
        h.ar_trans_type as document_type,
        cast(null as varchar) as pay_item,
        'invoice' as document_kind,
        h.trans_date as invoice_date,
        h.due_date,
        co.currency_code as transaction_currency_code,
        co.currency_code,
        cast(h.invoiced as numeric(38, 6)) as gross_amount_transaction,
        cast(h.invoiced as numeric(38, 6)) as gross_amount,
        cast(h.amount_due as numeric(38, 6)) as erp_open_amount,
        h.known_at as invoice_known_at,
        cast(null as timestamp) as last_changed_at
    from {{ ref('stg_vista__barth') }} as h
    left join vista_companies as co on co.company = h.company
    where h.ar_trans_type = 'I'
),

ns_currencies as (
    select currency_id, symbol from {{ ref('stg_netsuite__currency') }}
),

ns_subsidiaries as (
    select s.subsidiary_id, c.symbol as currency_code
    from {{ ref('stg_netsuite__subsidiary') }} as s
    left join ns_currencies as c on c.currency_id = s.currency_id
),

ns_main_lines as (
    select
        tl.transaction_id,
        tl.subsidiary_id,
        tal.amount,
        tal.amountunpaid
    from {{ ref('stg_netsuite__transactionline') }} as tl
    left join {{ ref('stg_netsuite__transactionaccountingline') }} as tal
        on tal.transaction_id = tl.transaction_id
        and tal.transaction_line_id = tl.transaction_line_id
        and tal.accounting_book_id = 1
    where tl.transaction_line_id = 0
),

netsuite as (
    select
        'netsuite' as source_system,
        {{ erpml.erpml_key('netsuite', 'ml.subsidiary_id', ['t.transaction_id']) }} as invoice_key,
        cast(ml.subsidiary_id as varchar) as company_id,
        cast(t.entity_id as varchar) as customer_id,
        {{ erpml.erpml_key('netsuite', 'coalesce(cu.subsidiary_id, ml.subsidiary_id)',
            ['t.entity_id']) }} as customer_key,
        t.tranid as document_number,
        t.transaction_type as document_type,
        cast(null as varchar) as pay_item,
        'invoice' as document_kind,
        t.trandate as invoice_date,
        t.duedate as due_date,
        tc.symbol as transaction_currency_code,
        sc.currency_code,
        cast(t.foreigntotal as numeric(38, 6)) as gross_amount_transaction,
        cast(ml.amount as numeric(38, 6)) as gross_amount,
        cast(ml.amountunpaid as numeric(38, 6)) as erp_open_amount,
        cast(t.createddate as timestamp) as invoice_known_at,
        t.known_at as last_changed_at
    from {{ ref('stg_netsuite__transaction') }} as t
    inner join ns_main_lines as ml on ml.transaction_id = t.transaction_id
    left join {{ ref('stg_netsuite__customer') }} as cu on cu.customer_id = t.entity_id
    left join ns_currencies as tc on tc.currency_id = t.currency_id
    left join ns_subsidiaries as sc on sc.subsidiary_id = ml.subsidiary_id
    where t.transaction_type = 'CustInvc'
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

final as (
    select
        invoice_key,
        source_system,
        {{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as company_key,
        company_id,
        customer_key,
        customer_id,
        document_number,
        document_type,
        pay_item,
        document_kind,
        invoice_date,
        due_date,
        transaction_currency_code,
        currency_code,
        gross_amount_transaction,
        gross_amount,
        erp_open_amount,
        invoice_known_at,
        last_changed_at
    from unioned
)

select * from final
