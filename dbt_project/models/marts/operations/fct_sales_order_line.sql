{#-
    fct_sales_order_line: one row per sales order line of JDE (F4211 open lines and F42119
    history) and NetSuite (SalesOrd item lines), incremental by landing batch
    (macros/core/erpml_incremental.sql, macros/operations/ops_incremental.sql).

    JDE moves a line from F4211 to F42119 when it is closed, keeping its key (order company,
    type, number, line). A line in both tables in the same landing appears once, from F42119:
    the F4211 row is skipped whenever F42119 holds its key (whatever the batches; in an
    incremental run the F42119 keys are this fact's F42119 rows and the new ones), and the
    F4211 tombstone of a moved line deletes only rows that came from F4211.
    NetSuite lines are selected again when the line or its header (status) is re-landed.
-#}
{{ config(
    materialized='incremental',
    meta={'erpml_batch_column': '_erpml_batch_id'},
    unique_key='sales_order_line_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook=[
        "{{ erpml.ops_sales_order_line_tombstones('F4211') }}",
        "{{ erpml.ops_sales_order_line_tombstones('F42119') }}",
        "{{ erpml.ops_sales_order_line_tombstones('transactionline') }}",
    ],
) }}

{%- set jde_columns -%}
        lines.sales_order_line_key,
        'jde' as source_system,
        lines.company_code as company_id,
        cast(lines.customer_number as varchar) as customer_id,
        coalesce(
            customers.customer_key,
            {{ erpml.erpml_key('jde', "'00000'", 'lines.customer_number') }}
        ) as customer_key,
        {{ erpml.erpml_key('jde', "'00000'", ['lines.item_number']) }} as item_key,
        lines.item_code as item_number,
        lines.order_company,
        cast(lines.order_number as varchar) as order_number,
        lines.order_type,
        cast(lines.line_number as decimal(18, 3)) as line_number,
        lines.order_date,
        lines.requested_date,
        lines.shipped_date as ship_date,
        cast(lines.quantity as decimal(38, 4)) as quantity,
        lines.unit_of_measure,
        cast(case when lines.is_foreign_currency then lines.foreign_unit_price else lines.unit_price end
            as decimal(38, 4)) as unit_price,
        case when lines.is_foreign_currency then lines.transaction_currency_code
            else lines.currency_code end as currency_code,
        cast(case when lines.is_foreign_currency then lines.foreign_extended_amount
            else lines.extended_amount end as decimal(38, 6)) as extended_amount,
        lines.currency_code as company_currency_code,
        cast(lines.extended_amount as decimal(38, 6)) as extended_amount_company,
        case
            when lines.last_status = '980' then 'cancelled'
            when lines.next_status = '999' then 'invoiced'
            when lines.shipped_date is not null then 'shipped'
            else 'open'
        end as status,
        lines.last_status || '/' || lines.next_status as source_status,
        lines.last_status_description as source_status_description,
        lines.known_at,
        lines._erpml_batch_id,
        cast(null as bigint) as _erpml_header_batch_id
{%- endset %}

with jde_customers as (
    select customer_key, address_number, company_code from {{ ref('stg_jde__f03012') }}
),

jde_history as (
    select
        {{ jde_columns }},
        'F42119' as source_table
    from {{ ref('stg_jde__f42119') }} as lines
    left join jde_customers as customers
        on customers.address_number = lines.customer_number
        and customers.company_code = lines.company_code
    where {{ erpml.erpml_after_watermark('F42119', 'lines._erpml_batch_id') }}
),

jde_open as (
    select
        {{ jde_columns }},
        'F4211' as source_table
    from {{ ref('stg_jde__f4211') }} as lines
    left join jde_customers as customers
        on customers.address_number = lines.customer_number
        and customers.company_code = lines.company_code
    where {{ erpml.erpml_after_watermark('F4211', 'lines._erpml_batch_id') }}
        and not exists (
            {%- if is_incremental() %}
            {#- F42119 as this fact holds it (its tombstones deleted by the pre-hooks) plus the
                new F42119 rows: the same keys as stg_jde__f42119, without decoding and hashing
                every history line again (most of this model's time in a changed build). #}
            select 1 from {{ this }} as history
            where history.source_table = 'F42119'
                and history.sales_order_line_key = lines.sales_order_line_key
            union all
            select 1 from jde_history as history
            where history.sales_order_line_key = lines.sales_order_line_key
            {%- else %}
            select 1 from {{ ref('stg_jde__f42119') }} as history
            where history.sales_order_line_key = lines.sales_order_line_key
            {%- endif %}
        )
),

netsuite as (
    select
        lines.sales_order_line_key,
        'netsuite' as source_system,
        lines.company_id,
        lines.customer_id,
        lines.customer_key,
        lines.item_key,
        lines.item_number,
        cast(null as varchar) as order_company,
        lines.order_number,
        lines.order_type,
        cast(lines.transaction_line_id as decimal(18, 3)) as line_number,
        lines.order_date,
        cast(null as date) as requested_date,
        cast(null as date) as ship_date,
        lines.quantity,
        cast(null as varchar) as unit_of_measure,
        lines.unit_price,
        lines.currency_code,
        lines.extended_amount,
        lines.company_currency_code,
        lines.extended_amount_company,
        lines.status,
        lines.status_code as source_status,
        lines.status_description as source_status_description,
        lines.known_at,
        lines._erpml_batch_id,
        lines._erpml_header_batch_id,
        'transactionline' as source_table
    from {{ ref('int_operations__netsuite_sales_order_lines') }} as lines
    where {{ erpml.erpml_after_watermark('transactionline', 'lines._erpml_batch_id') }}
        or {{ erpml.ops_after_column_watermark('transactionline',
            'lines._erpml_header_batch_id', '_erpml_header_batch_id') }}
),

unioned as (
    select * from jde_history
    union all
    select * from jde_open
    union all
    select * from netsuite
),

final as (
    {#- Every column cast to its contract type: PostgreSQL types literals and md5() as text, and
        the incremental schema check (on_schema_change fail) compares the types. #}
    select
        cast(sales_order_line_key as varchar) as sales_order_line_key,
        cast({{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as varchar) as company_key,
        cast(source_system as varchar) as source_system,
        cast(company_id as varchar) as company_id,
        cast(customer_key as varchar) as customer_key,
        cast(customer_id as varchar) as customer_id,
        cast(item_key as varchar) as item_key,
        cast(item_number as varchar) as item_number,
        cast(order_company as varchar) as order_company,
        cast(order_number as varchar) as order_number,
        cast(order_type as varchar) as order_type,
        cast(line_number as decimal(18, 3)) as line_number,
        cast(order_date as date) as order_date,
        cast(requested_date as date) as requested_date,
        cast(ship_date as date) as ship_date,
        cast(quantity as decimal(38, 4)) as quantity,
        cast(unit_of_measure as varchar) as unit_of_measure,
        cast(unit_price as decimal(38, 4)) as unit_price,
        cast(currency_code as varchar) as currency_code,
        cast(extended_amount as decimal(38, 6)) as extended_amount,
        cast(company_currency_code as varchar) as company_currency_code,
        cast(extended_amount_company as decimal(38, 6)) as extended_amount_company,
        cast(status as varchar) as status,
        cast(source_status as varchar) as source_status,
        cast(source_status_description as varchar) as source_status_description,
        cast(known_at as timestamp) as known_at,
        cast(source_table as varchar) as source_table,
        cast(_erpml_batch_id as bigint) as _erpml_batch_id,
        cast(_erpml_header_batch_id as bigint) as _erpml_header_batch_id
    from unioned
)

select * from final
