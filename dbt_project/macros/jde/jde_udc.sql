{#-
    jde_udc_description(system, type, code): the F0005 description (`DRDL01`, trimmed) of a user
    defined code, as a scalar subquery over stg_jde__f0005. `system`/`type` are literals
    ('01', 'ST'); `code` is a SQL expression, compared trimmed (F0005 `DRKY` keys are
    right-justified for numeric codes, left-justified otherwise: both are trimmed).

    jde_udc_join(system, type, code, alias): the same lookup as a LEFT JOIN of stg_jde__f0005
    as `alias` (select `alias.description`), for the staging models of tables that incremental
    models read by landing batch (F03B11, F0411, F4211, F42119): DuckDB does not push a
    consumer's filter on the staged rows (`_erpml_batch_id > n`) below a decorrelated scalar
    subquery, so with the subquery every landed row is decoded before the filter; through a
    left join the filter reaches the scan. (system, type, code) is unique in stg_jde__f0005
    (tested), so the join adds no rows.
-#}
{% macro jde_udc_description(system, type, code) -%}
    (select udc.description
     from {{ ref('stg_jde__f0005') }} as udc
     where udc.udc_system = '{{ system }}'
       and udc.udc_type = '{{ type }}'
       and udc.udc_code = trim({{ code }}))
{%- endmacro %}

{% macro jde_udc_join(system, type, code, alias) -%}
    left join {{ ref('stg_jde__f0005') }} as {{ alias }}
        on {{ alias }}.udc_system = '{{ system }}'
        and {{ alias }}.udc_type = '{{ type }}'
        and {{ alias }}.udc_code = trim({{ code }})
{%- endmacro %}
