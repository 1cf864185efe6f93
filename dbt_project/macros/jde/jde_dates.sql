{#-
    JD Edwards dates and times.

    jde_julian_to_date(column): `CYYDDD` (C = 0 for 19xx, 1 for 20xx) to a date; 0 -> NULL.
        124001 -> 2024-01-01, 100060 -> 2000-02-29.
    jde_time(column): `HHMMSS` integer to a time; 0 -> 00:00:00.
    jde_timestamp(date_column, time_column): both combined (NULL when the date is 0).

    Bad input rule: a value that is not a date (day 0 or beyond the year's length, negative,
    century above 1) or not a time fails the query reading it with
    "JDE Julian date is not a date: <model>.<column> = <value>".
-#}
{% macro jde_julian_is_valid(column) -%}
    ({{ column }} between 1 and 199999
     and mod(cast({{ column }} as bigint), 1000) between 1 and
        case
            when mod(1900 + {{ erpml.erpml_div_int(column, 1000) }}, 400) = 0 then 366
            when mod(1900 + {{ erpml.erpml_div_int(column, 1000) }}, 100) = 0 then 365
            when mod(1900 + {{ erpml.erpml_div_int(column, 1000) }}, 4) = 0 then 366
            else 365
        end)
{%- endmacro %}

{% macro jde_julian_to_date(column) -%}
    {{ return(adapter.dispatch('jde_julian_to_date', 'erpml')(column)) }}
{%- endmacro %}

{% macro default__jde_julian_to_date(column) -%}
    case
        when {{ column }} = 0 then null
        when {{ erpml.jde_julian_is_valid(column) }}
            then cast(
                make_date(cast(1900 + {{ erpml.erpml_div_int(column, 1000) }} as integer), 1, 1)
                + cast(mod(cast({{ column }} as bigint), 1000) - 1 as integer)
            as date)
        else {{ erpml.erpml_raise(
            "'JDE Julian date is not a date: " ~ erpml.erpml_where(column) ~ " = ' || cast("
            ~ column ~ " as varchar)", 'date') }}
    end
{%- endmacro %}

{% macro jde_time(column) -%}
    {{ return(adapter.dispatch('jde_time', 'erpml')(column)) }}
{%- endmacro %}

{% macro default__jde_time(column) -%}
    case
        when {{ column }} between 0 and 235959
            and mod({{ erpml.erpml_div_int(column, 100) }}, 100) < 60
            and mod(cast({{ column }} as bigint), 100) < 60
            then make_time(
                cast({{ erpml.erpml_div_int(column, 10000) }} as integer),
                cast(mod({{ erpml.erpml_div_int(column, 100) }}, 100) as integer),
                cast(mod(cast({{ column }} as bigint), 100) as double precision))
        else {{ erpml.erpml_raise(
            "'JDE time is not a time: " ~ erpml.erpml_where(column) ~ " = ' || cast("
            ~ column ~ " as varchar)", 'time') }}
    end
{%- endmacro %}

{% macro jde_timestamp(date_column, time_column) -%}
    cast({{ erpml.jde_julian_to_date(date_column) }} + {{ erpml.jde_time(time_column) }} as timestamp)
{%- endmacro %}
