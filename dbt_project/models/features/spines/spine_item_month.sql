{#-
    spine_item_month: one row per item and month start from the item's first order month to the
    last month with orders, the prediction points of the item-demand feature set, with the
    outcome: quantity ordered (not cancelled) in the 30 days from the month start.
-#}
with lines as (
    select item_key, order_date, quantity
    from {{ ref('fct_sales_order_line') }}
    where item_key is not null and status <> 'cancelled'
),

months as (
    select distinct cast(date_trunc('month', order_date) as date) as month_start from lines
),

items as (
    select item_key, min(cast(date_trunc('month', order_date) as date)) as first_month
    from lines
    group by item_key
),

grid as (
    select i.item_key, m.month_start
    from items as i
    inner join months as m on m.month_start >= i.first_month
),

final as (
    select
        {{ erpml.erpml_key_parts(['g.item_key', 'g.month_start']) }} as item_month_key,
        g.item_key,
        g.month_start,
        cast(g.month_start as timestamp) as predicted_at,
        coalesce(sum(l.quantity), 0) as next_30d_quantity,
        cast(g.month_start as timestamp) + interval '30 days' as outcome_known_at
    from grid as g
    left join lines as l
        on l.item_key = g.item_key
        and l.order_date >= g.month_start
        and l.order_date < g.month_start + interval '30 days'
    group by g.item_key, g.month_start
)

select * from final
