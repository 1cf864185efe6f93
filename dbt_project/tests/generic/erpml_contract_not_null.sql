{#-
    erpml_contract_not_null: no row has a NULL in a column whose contract declares a `not_null`
    constraint. For contracted models materialized as views, where dbt checks the names and
    types of the contract but no database enforces its constraints; one scan for all columns.
-#}
{% test erpml_contract_not_null(model) %}
{%- set columns = erpml.erpml_contract_not_null_columns() if execute else [] -%}
{%- if execute and not columns -%}
    {{ exceptions.raise_compiler_error(
        'erpml_contract_not_null on ' ~ model ~ ': its contract declares no not_null column') }}
{%- endif %}
select *
from {{ model }}
where {{ (columns or ['null']) | join(' is null or ') }} is null
{% endtest %}
