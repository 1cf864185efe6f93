{#-
    fct_sales_order_line holds every sales order line of its sources exactly once, from the
    right table: the JDE lines of F4211 and F42119 (a line in both comes from F42119) and the
    NetSuite SalesOrd item lines; and no line the sources no longer hold. After incremental
    builds this shows that tombstones, moves and re-landed headers were applied. Returns the
    failing lines.
-#}
with expected as (
    select sales_order_line_key, 'F42119' as source_table from {{ ref('stg_jde__f42119') }}
    union all
    select open_lines.sales_order_line_key, 'F4211' as source_table
    from {{ ref('stg_jde__f4211') }} as open_lines
    where not exists (
        select 1 from {{ ref('stg_jde__f42119') }} as history
        where history.sales_order_line_key = open_lines.sales_order_line_key
    )
    union all
    select sales_order_line_key, 'transactionline' as source_table
    from {{ ref('int_operations__netsuite_sales_order_lines') }}
),

actual as (
    select sales_order_line_key, source_table, count(*) over (partition by sales_order_line_key) as copies
    from {{ ref('fct_sales_order_line') }}
)

select
    coalesce(expected.sales_order_line_key, actual.sales_order_line_key) as sales_order_line_key,
    expected.source_table as expected_source_table,
    actual.source_table as actual_source_table,
    actual.copies
from expected
full outer join actual on actual.sales_order_line_key = expected.sales_order_line_key
where expected.sales_order_line_key is null
    or actual.sales_order_line_key is null
    or expected.source_table <> actual.source_table
    or actual.copies <> 1
