{#-
    OneStream time members: `2024` (year), `2024H1`, `2024Q1`, `2024M1` (no zero padding).

    onestream_time_year(column): 2024 for every member of 2024.
    onestream_time_period(column): the month number of an `M` member (1..12), NULL otherwise.
    onestream_time_month_start(column): first day of the month of an `M` member, NULL otherwise.
    onestream_matches(column, pattern): regular-expression match (dialects differ).

    Bad input rule: a time member that is none of the four shapes fails the query reading it with
    "OneStream time member is not a time: <model>.<column> = <value>".
-#}
{% macro onestream_matches(column, pattern) -%}
    {{ return(adapter.dispatch('onestream_matches', 'erpml')(column, pattern)) }}
{%- endmacro %}

{% macro duckdb__onestream_matches(column, pattern) -%}
    regexp_full_match({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__onestream_matches(column, pattern) -%}
    ({{ column }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro default__onestream_matches(column, pattern) -%}
    regexp_like({{ column }}, '^(?:{{ pattern }})$')
{%- endmacro %}

{% macro onestream_time_year(column) -%}
    case
        when {{ erpml.onestream_matches(column, '[0-9]{4}((M([1-9]|1[0-2]))|(Q[1-4])|(H[12]))?') }}
            then cast(substr({{ column }}, 1, 4) as integer)
        else {{ erpml.erpml_raise(
            "'OneStream time member is not a time: " ~ erpml.erpml_where(column) ~ " = ' || "
            ~ column, 'integer') }}
    end
{%- endmacro %}

{% macro onestream_time_period(column) -%}
    case
        when {{ erpml.onestream_matches(column, '[0-9]{4}M([1-9]|1[0-2])') }}
            then cast(substr({{ column }}, 6) as integer)
    end
{%- endmacro %}

{% macro onestream_time_month_start(column) -%}
    case
        when {{ erpml.onestream_matches(column, '[0-9]{4}M([1-9]|1[0-2])') }}
            then make_date(
                cast(substr({{ column }}, 1, 4) as integer),
                cast(substr({{ column }}, 6) as integer),
                1)
    end
{%- endmacro %}
