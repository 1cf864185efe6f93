{#-
    erpml_raise(message_sql, data_type): an expression of `data_type` that fails the query with
    `message_sql` (a SQL string expression) when a row reaches it. Used in the `else` branch of a
    decoding `case` so that bad input fails naming model, column and value.
    The message must depend on a column: PostgreSQL folds constant expressions at plan time.
-#}
{% macro erpml_raise(message_sql, data_type) -%}
    {{ return(adapter.dispatch('erpml_raise', 'erpml')(message_sql, data_type)) }}
{%- endmacro %}

{#-
    PostgreSQL has no error() function: the failing cast shows the message as its input value.
    The message goes through integer first, so it fails whatever `data_type` is (a cast of text
    to varchar would succeed and return the message as data).
-#}
{% macro default__erpml_raise(message_sql, data_type) -%}
    cast(cast(cast(cast({{ message_sql }} as varchar) as integer) as varchar) as {{ data_type }})
{%- endmacro %}

{% macro duckdb__erpml_raise(message_sql, data_type) -%}
    cast(error({{ message_sql }}) as {{ data_type }})
{%- endmacro %}

{#- `model.column` for messages: the model being built and the source column, unquoted. -#}
{% macro erpml_where(column) -%}
    {%- set name = this.identifier if this is defined and this is not none else 'model' -%}
    {{- name }}.{{ column | replace('"', '') -}}
{%- endmacro %}
