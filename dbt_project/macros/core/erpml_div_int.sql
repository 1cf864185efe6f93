{#- Integer division truncating toward zero (DuckDB's `/` returns a double). -#}
{% macro erpml_div_int(numerator, denominator) -%}
    {{ return(adapter.dispatch('erpml_div_int', 'erpml')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__erpml_div_int(numerator, denominator) -%}
    (cast({{ numerator }} as bigint) / cast({{ denominator }} as bigint))
{%- endmacro %}

{% macro duckdb__erpml_div_int(numerator, denominator) -%}
    (cast({{ numerator }} as bigint) // cast({{ denominator }} as bigint))
{%- endmacro %}
