{#-
    Vista dates. `smalldatetime` columns are always midnight; `Mth` and the other month columns
    (`ApplyMth`, `PaidMth`, `StartMonth`, `MonthClosed`) are the first day of the batch month.

    vista_date(column): the date part.
    vista_month(column): the first day of the month (a value off the first is truncated to it).
    vista_month_end(column): midnight after the last day of the month, as a timestamp: when a
        monthly roll-up (`bJCCP`, `bGLBL`) is complete.
    vista_known_at(event_column, fallback_month_column): when a row became known, as a
        timestamp: the event (posting) date, else the start of the fallback month.
-#}
{% macro vista_date(column) -%}
    cast({{ column }} as date)
{%- endmacro %}

{% macro vista_month(column) -%}
    cast(date_trunc('month', {{ column }}) as date)
{%- endmacro %}

{% macro vista_month_end(column) -%}
    {{ return(adapter.dispatch('vista_month_end', 'erpml')(column)) }}
{%- endmacro %}

{% macro default__vista_month_end(column) -%}
    cast(date_trunc('month', {{ column }}) + interval '1 month' as timestamp)
{%- endmacro %}

{% macro vista_known_at(event_column, fallback_month_column) -%}
    cast(coalesce({{ event_column }}, date_trunc('month', {{ fallback_month_column }})) as timestamp)
{%- endmacro %}
