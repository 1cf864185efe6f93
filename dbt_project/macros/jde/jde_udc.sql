{#-
    jde_udc_join(system, type, code, alias): the F0005 description (`DRDL01`, trimmed) of a user
    defined code, as a LEFT JOIN of stg_jde__f0005 as `alias` (select `alias.description`).
    `system`/`type` are literals ('01', 'ST'); `code` is a SQL expression, compared trimmed
    (F0005 `DRKY` keys are right-justified for numeric codes, left-justified otherwise: both are
    trimmed). (system, type, code) is unique in stg_jde__f0005 (tested), so the join adds no
    rows. A join rather than a scalar subquery: DuckDB does not push a consumer's filter on the
    staged rows (an incremental model's `_erpml_batch_id > n`) below a decorrelated subquery, so
    with a subquery every landed row was decoded before the filter; through a left join the
    filter reaches the scan.
-#}

{% macro jde_udc_join(system, type, code, alias) -%}
    left join {{ ref('stg_jde__f0005') }} as {{ alias }}
        on {{ alias }}.udc_system = '{{ system }}'
        and {{ alias }}.udc_type = '{{ type }}'
        and {{ alias }}.udc_code = trim({{ code }})
{%- endmacro %}
