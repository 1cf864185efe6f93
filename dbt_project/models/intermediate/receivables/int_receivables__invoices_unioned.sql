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

    The items come decoded from int_receivables__invoices_decoded (incremental by landing batch);
    this view adds what depends on other tables (customer keys, company and subsidiary
    currencies), so a change there reaches every item without decoding the items again.
-#}
with decoded as (
    select * from {{ ref('int_receivables__invoices_decoded') }}
),

jde_customer_companies as (
    select customer_key, address_number, company_code from {{ ref('stg_jde__f03012') }}
),

vista_companies as (
    select
        cast(company as varchar) as company_id,
        coalesce(trim(ud_currency), '{{ var("reporting_currency") }}') as currency_code
    from {{ ref('stg_vista__bhqco') }}
),

ns_currencies as (
    select currency_id, symbol from {{ ref('stg_netsuite__currency') }}
),

ns_subsidiaries as (
    select cast(s.subsidiary_id as varchar) as company_id, c.symbol as currency_code
    from {{ ref('stg_netsuite__subsidiary') }} as s
    left join ns_currencies as c on c.currency_id = s.currency_id
),

ns_customers as (
    select customer_id, subsidiary_id from {{ ref('stg_netsuite__customer') }}
),

jde as (
    select
        d.*,
        coalesce(
            c.customer_key,
            {{ erpml.erpml_key('jde', "'00000'", 'd.customer_number') }}
        ) as resolved_customer_key,
        d.transaction_currency_code as resolved_transaction_currency_code,
        d.currency_code as resolved_currency_code
    from decoded as d
    left join jde_customer_companies as c
        on c.address_number = d.customer_number and c.company_code = d.company_id
    where d.source_system = 'jde'
),

vista as (
    select
        d.*,
        d.customer_key as resolved_customer_key,
        co.currency_code as resolved_transaction_currency_code,
        co.currency_code as resolved_currency_code
    from decoded as d
    left join vista_companies as co on co.company_id = d.company_id
    where d.source_system = 'vista'
),

netsuite as (
    select
        d.*,
        {{ erpml.erpml_key('netsuite', 'coalesce(cast(cu.subsidiary_id as varchar), d.company_id)',
            ['d.entity_id']) }} as resolved_customer_key,
        tc.symbol as resolved_transaction_currency_code,
        sc.currency_code as resolved_currency_code
    from decoded as d
    left join ns_customers as cu on cu.customer_id = d.entity_id
    left join ns_currencies as tc on tc.currency_id = d.currency_id
    left join ns_subsidiaries as sc on sc.company_id = d.company_id
    where d.source_system = 'netsuite'
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
        resolved_customer_key as customer_key,
        customer_id,
        document_number,
        document_type,
        pay_item,
        document_kind,
        invoice_date,
        due_date,
        resolved_transaction_currency_code as transaction_currency_code,
        resolved_currency_code as currency_code,
        gross_amount_transaction,
        gross_amount,
        erp_open_amount,
        invoice_known_at,
        last_changed_at
    from unioned
)

select * from final
