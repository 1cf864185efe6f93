{#-
    NetSuite sales order item lines (transaction type SalesOrd, non-main, with an item), decoded
    for fct_sales_order_line. NetSuite stores order lines with the accounting sign of sales (a
    credit): quantity and amounts are negated to positive order values; `rate` is positive.
    `foreignamount` is in the transaction currency, `netamount` in the subsidiary currency.

    status (one vocabulary with JDE): A pending approval, B pending fulfillment -> open;
    D partially fulfilled, E pending billing/partially fulfilled, F pending billing -> shipped;
    G billed -> invoiced; C cancelled, H closed -> cancelled. Any other letter fails the query
    (bad input rule): "NetSuite sales order status is unknown: <model>.status = <letter>".

    customer_key is dim_customer's rule (int_receivables__invoices_unioned): the customer's
    subsidiary and its id; item_key is dim_item's (no company part).

    Both landing batches are carried: the line's and its header's, because the status lives on
    the header (fct_sales_order_line selects a line again when either is re-landed).
-#}
with lines as (
    select * from {{ ref('stg_netsuite__transactionline') }}
),

headers as (
    select * from {{ ref('stg_netsuite__transaction') }}
    where transaction_type = 'SalesOrd'
),

subsidiaries as (
    select subsidiary_id, currency_id from {{ ref('stg_netsuite__subsidiary') }}
),

currencies as (
    select currency_id, symbol from {{ ref('stg_netsuite__currency') }}
),

items as (
    select item_id, itemid from {{ ref('stg_netsuite__item') }}
),

customers as (
    select customer_id, subsidiary_id from {{ ref('stg_netsuite__customer') }}
),

final as (
    select
        {{ erpml.ops_netsuite_sales_order_line_key('lines.subsidiary_id', 'lines.transaction_id',
            'lines.transaction_line_id') }} as sales_order_line_key,
        cast(lines.subsidiary_id as varchar) as company_id,
        cast(headers.entity_id as varchar) as customer_id,
        {{ erpml.erpml_key('netsuite', 'coalesce(customers.subsidiary_id, lines.subsidiary_id)',
            ['headers.entity_id']) }} as customer_key,
        {{ erpml.erpml_key('netsuite', 'cast(null as varchar)', ['lines.item_id']) }} as item_key,
        lines.subsidiary_id,
        lines.item_id,
        trim(items.itemid) as item_number,
        headers.tranid as order_number,
        headers.transaction_type as order_type,
        lines.transaction_id,
        lines.transaction_line_id,
        headers.trandate as order_date,
        cast(-lines.quantity as decimal(38, 4)) as quantity,
        cast(lines.rate as decimal(38, 4)) as unit_price,
        transaction_currencies.symbol as currency_code,
        cast(-lines.foreignamount as decimal(38, 6)) as extended_amount,
        company_currencies.symbol as company_currency_code,
        cast(-lines.netamount as decimal(38, 6)) as extended_amount_company,
        headers.status_code,
        headers.status as status_description,
        case
            when headers.status_code in ('A', 'B') then 'open'
            when headers.status_code in ('D', 'E', 'F') then 'shipped'
            when headers.status_code = 'G' then 'invoiced'
            when headers.status_code in ('C', 'H') then 'cancelled'
            {#- integer, not varchar: a failing cast is PostgreSQL's raise (erpml_raise). #}
            else cast({{ erpml.erpml_raise(
                "'NetSuite sales order status is unknown: " ~ erpml.erpml_where('status')
                ~ " = ' || coalesce(headers.status_code, '<null>')", 'integer') }} as varchar)
        end as status,
        cast(
            case
                when headers.known_at is null or lines.known_at >= headers.known_at
                    then lines.known_at
                else headers.known_at
            end
        as timestamp) as known_at,
        lines.erpml_batch_id as _erpml_batch_id,
        headers.erpml_batch_id as _erpml_header_batch_id
    from lines
    inner join headers on headers.transaction_id = lines.transaction_id
    left join items on items.item_id = lines.item_id
    left join customers on customers.customer_id = headers.entity_id
    left join subsidiaries on subsidiaries.subsidiary_id = lines.subsidiary_id
    left join currencies as company_currencies
        on company_currencies.currency_id = subsidiaries.currency_id
    left join currencies as transaction_currencies
        on transaction_currencies.currency_id = headers.currency_id
    where not lines.is_mainline
        and lines.item_id is not null
        and not coalesce(lines.is_taxline, false)
        and not coalesce(lines.is_cogs, false)
)

select * from final
