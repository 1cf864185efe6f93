{#-
    erpml_key(source_system, company, natural_key): a collision-proof surrogate key.

    Every part is cast to text, trimmed by the caller, and length-prefixed (`3:abc`, NULL as `~`)
    before hashing, so no value can shift into its neighbour whatever characters it holds:
    ('a|b', 'c') and ('a', 'b|c') give different keys. The result is the md5 hex digest.
    `source_system` is a literal ('jde'); `company` and the items of `natural_key` are SQL
    expressions (a string or a list of strings; an empty list keys the company itself).

    erpml_key_parts(parts) is the same digest over a list of SQL expressions, for marts that
    key rows after a union: erpml_key_parts(['source_system', 'company_id', 'customer_id'])
    equals erpml_key('jde', 'company_id', ['customer_id']) on the rows where source_system is
    'jde'.
-#}
{% macro erpml_key(source_system, company, natural_key) -%}
    {%- set parts = ["'" ~ source_system ~ "'", company] -%}
    {%- if natural_key is string -%}
        {%- do parts.append(natural_key) -%}
    {%- else -%}
        {%- do parts.extend(natural_key) -%}
    {%- endif -%}
    {{ erpml.erpml_key_parts(parts) }}
{%- endmacro %}

{% macro erpml_key_parts(parts) -%}
    md5(
    {%- for part in parts %}
        coalesce(cast(length(cast({{ part }} as varchar)) as varchar) || ':' || cast({{ part }} as varchar), '~')
        {%- if not loop.last %} || '|' ||{% endif -%}
    {% endfor %}
    )
{%- endmacro %}
