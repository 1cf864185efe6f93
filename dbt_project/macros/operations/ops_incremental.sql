{#-
    Incremental helpers for facts that union several landing tables (fct_sales_order_line).

    ops_after_column_watermark(source_table, column, fact_column): true for rows whose `column`
        (a second landing batch carried by the fact, e.g. the NetSuite header's) is above the
        fact's max(fact_column) over its `source_table` rows; `true` on a full build.
    ops_sales_order_line_tombstones(source_table): the pre-hook of fct_sales_order_line for
        F4211, F42119 or transactionline; keys from the raw landing columns computed exactly as
        the staging models (jde_sales_order_lines) and int_operations__netsuite_sales_order_lines
        compute them.
-#}
{% macro ops_after_column_watermark(source_table, column, fact_column) -%}
    {%- if is_incremental() -%}
        {{ column }} > {{ erpml.erpml_watermark(source_table, fact_column) }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Sales order line keys from raw landing columns, as the staging models compute them. -#}
{% macro ops_jde_sales_order_line_key(alias='source') -%}
    {{ erpml.erpml_key('jde', erpml.jde_company(alias ~ '."SDKCOO"'), [
        'trim(' ~ alias ~ '."SDDCTO")', 'cast(' ~ alias ~ '."SDDOCO" as bigint)',
        'cast(' ~ alias ~ '."SDLNID" as bigint)']) }}
{%- endmacro %}

{% macro ops_netsuite_sales_order_line_key(subsidiary, transaction_id, line_id) -%}
    {{ erpml.erpml_key('netsuite', subsidiary, [transaction_id, line_id]) }}
{%- endmacro %}

{#- The pre-hooks of fct_sales_order_line, one per landing table. -#}
{% macro ops_sales_order_line_tombstones(source_table) -%}
    {%- if source_table in ('F4211', 'F42119') -%}
        {{ erpml.erpml_delete_tombstones('sales_order_line_key', source('jde', source_table),
            source_table, erpml.ops_jde_sales_order_line_key('source')) }}
    {%- elif source_table == 'transactionline' -%}
        {{ erpml.erpml_delete_tombstones('sales_order_line_key', source('netsuite', 'transactionline'),
            'transactionline', erpml.ops_netsuite_sales_order_line_key(
                'source."subsidiary"', 'source."transaction"', 'source."id"')) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            'ops_sales_order_line_tombstones: unknown landing table ' ~ source_table) }}
    {%- endif -%}
{%- endmacro %}
