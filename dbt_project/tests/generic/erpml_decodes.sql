{#-
    erpml_decodes: reads every value of a decoded column so that decoding errors surface in the
    build. Decoding macros (jde_julian_to_date, jde_currency_amount, ...) raise on bad input with
    "<what>: <model>.<column> = <value>"; staging models are views, so a bad value fails only when
    read. This test reads it (and never returns rows itself).
-#}
{% test erpml_decodes(model, column_name) %}
select {{ column_name }}
from {{ model }}
where cast({{ column_name }} as varchar) = '<erpml never matches>'
{% endtest %}
