{#-
    spine_item_month: one row per item and month start from the item's first order month to the
    last month with orders, the prediction points of the item-demand feature set, with the
    outcome: quantity ordered (not cancelled) in the 30 days from the month start.

    A line ordered on day d falls in the 30-day windows of at most two month starts: its own
    month's (unless d is the month's 31st day) and the previous month's (when d is within 30
    days of it). Each line is added to those one or two months and summed by item and month,
    in one pass over the lines instead of a range join of every item-month with the item's
    lines.
-#}
with lines as (
    select
        item_key,
        order_date,
        quantity,
        cast(date_trunc('month', order_date) as date) as order_month
    from {{ ref('fct_sales_order_line') }}
    where item_key is not null and status <> 'cancelled'
),

months as (
    select distinct order_month as month_start from lines
),

items as (
    select item_key, min(order_month) as first_month
    from lines
    group by item_key
),

grid as (
    select i.item_key, m.month_start
    from items as i
    inner join months as m on m.month_start >= i.first_month
),

windows as (
    select item_key, order_month as month_start, quantity
    from lines
    where order_date < order_month + interval '30 days'
    union all
    select item_key, month_start, quantity
    from (
        select item_key, order_date, quantity,
            cast(order_month - interval '1 month' as date) as month_start
        from lines
    ) as previous
    where order_date < month_start + interval '30 days'
),

outcomes as (
    select item_key, month_start, sum(quantity) as quantity
    from windows
    group by item_key, month_start
),

final as (
    select
        {{ erpml.erpml_key_parts(['g.item_key', 'g.month_start']) }} as item_month_key,
        g.item_key,
        g.month_start,
        cast(g.month_start as timestamp) as predicted_at,
        coalesce(o.quantity, 0) as next_30d_quantity,
        cast(g.month_start as timestamp) + interval '30 days' as outcome_known_at
    from grid as g
    left join outcomes as o
        on o.item_key = g.item_key
        and o.month_start = g.month_start
)

select * from final
