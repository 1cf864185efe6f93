{#-
    JD Edwards codes are fixed-width, blank-padded strings; blank means "no value".

    jde_code(column): trimmed, blank -> NULL ('RET       ' -> 'RET', '       20001' -> '20001').
    jde_business_unit(value): re-justified as JDE stores `MCU`: 12 characters, right-justified
        ('20001' -> '       20001'), for joining a trimmed code back to raw columns.
    jde_company(value): 5-character zero-padded company ('1' -> '00001', '00020' stays).
-#}
{% macro jde_code(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{% macro jde_business_unit(value) -%}
    lpad(trim({{ value }}), 12, ' ')
{%- endmacro %}

{% macro jde_company(value) -%}
    lpad(trim(cast({{ value }} as varchar)), 5, '0')
{%- endmacro %}
