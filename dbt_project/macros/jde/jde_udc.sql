{#-
    jde_udc_description(system, type, code): the F0005 description (`DRDL01`, trimmed) of a user
    defined code, as a scalar subquery over stg_jde__f0005. `system`/`type` are literals
    ('01', 'ST'); `code` is a SQL expression, compared trimmed (F0005 `DRKY` keys are
    right-justified for numeric codes, left-justified otherwise: both are trimmed).
-#}
{% macro jde_udc_description(system, type, code) -%}
    (select udc.description
     from {{ ref('stg_jde__f0005') }} as udc
     where udc.udc_system = '{{ system }}'
       and udc.udc_type = '{{ type }}'
       and udc.udc_code = trim({{ code }}))
{%- endmacro %}
