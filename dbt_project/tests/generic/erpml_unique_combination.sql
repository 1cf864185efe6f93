{#- erpml_unique_combination: no two rows share the values of `columns` (NULLs compare equal). -#}
{% test erpml_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
