{#-
    JD Edwards implied decimals. Numbers are stored without their decimal point: 100.10 with two
    decimals is 10010.

    jde_implied_decimals(column, decimals, scale=4): `column` shifted by `decimals` (a SQL
        expression, 0..7), as decimal(38, scale). Exact: multiplies by a decimal literal.
    jde_currency_amount(column, currency_decimals, currency_code, scale=4): money by the
        currency's decimals (F0013 `CVCDEC`: USD 2, JPY 0, KWD 3). Never divide all money by 100.
        Bad input rule: an amount whose currency code has no F0013 row fails the query with
        "unknown currency code: <model>.<column> = <code>".
    jde_dd_decimals(column, item, scale=4): a non-currency number by the data-dictionary decimals
        configured in var('jde_decimals') (`line_number`, `quantity`, `unit_price`, ...).
-#}
{% macro jde_implied_decimals(column, decimals, scale=4) -%}
    cast({{ column }} * case cast({{ decimals }} as integer)
        {%- for d in range(8) %}
        when {{ d }} then {{ '1' if d == 0 else '0.' ~ ('0' * (d - 1)) ~ '1' }}
        {%- endfor %}
    end as decimal(38, {{ scale }}))
{%- endmacro %}

{% macro jde_currency_amount(column, currency_decimals, currency_code, scale=4) -%}
    case
        when {{ currency_decimals }} is not null
            then {{ erpml.jde_implied_decimals(column, currency_decimals, scale) }}
        else {{ erpml.erpml_raise(
            "'unknown currency code: " ~ erpml.erpml_where(column) ~ " = ' || coalesce(trim("
            ~ currency_code ~ "), '<blank>')", 'decimal(38, ' ~ scale ~ ')') }}
    end
{%- endmacro %}

{% macro jde_dd_decimals(column, item, scale=4) -%}
    {%- set decimals = var('jde_decimals') -%}
    {%- if item not in decimals -%}
        {{ exceptions.raise_compiler_error(
            "jde_dd_decimals: no data-dictionary decimals for '" ~ item ~ "' in var('jde_decimals')") }}
    {%- endif -%}
    {{ erpml.jde_implied_decimals(column, decimals[item] | string, scale) }}
{%- endmacro %}
