{#-
    ops_ratio_half_even(numerator, denominator, scale=4, input_scale=2): numerator / denominator
    rounded half to even to `scale` decimals, as decimal(38, scale); NULL when the denominator
    is 0 or NULL.

    Both inputs are exact numbers with at most `input_scale` decimals (Vista money: 2). The
    division is done on integers (DuckDB divides decimals in floating point): with
    A = |numerator| * 10^input_scale and B = |denominator| * 10^input_scale, q = A * 10^scale div B,
    r = the remainder; q is raised by one when 2r > B, or when 2r = B and q is odd; the sign is
    put back. 1/32 = 0.03125 -> 0.0312; 3/32 = 0.09375 -> 0.0938.
-#}
{% macro ops_ratio_half_even(numerator, denominator, scale=4, input_scale=2) -%}
    {%- set unit = 10 ** input_scale -%}
    {%- set shift = 10 ** scale -%}
    {%- set a -%}cast(abs({{ numerator }}) * {{ unit }} as bigint) * {{ shift }}{%- endset -%}
    {%- set b -%}cast(abs({{ denominator }}) * {{ unit }} as bigint){%- endset -%}
    {%- set q -%}{{ erpml.erpml_div_int(a, b) }}{%- endset -%}
    {%- set r -%}({{ a }} - {{ q }} * {{ b }}){%- endset -%}
    case
        when {{ denominator }} is null or {{ denominator }} = 0 or {{ numerator }} is null then null
        else cast(
            (case when ({{ numerator }} < 0) <> ({{ denominator }} < 0) then -1 else 1 end)
            * cast(
                {{ q }} + case
                    when 2 * {{ r }} > {{ b }} then 1
                    when 2 * {{ r }} = {{ b }} then {{ q }} % 2
                    else 0
                end
            as decimal(38, 0))
            * {{ '1' if scale == 0 else '0.' ~ ('0' * (scale - 1)) ~ '1' }}
        as decimal(38, {{ scale }}))
    end
{%- endmacro %}
