{#-
    General-ledger marts (models/marts/finance): keys computed from landing columns, the
    reporting-currency precision and a text-typed failure.

    The gl_entry_key of fct_gl_entry is computed once per ERP by these macros, both from the
    staged columns (the model) and from the raw landing columns (the tombstone pre-hook, which
    reads rows flagged `_erpml_deleted`), so a source delete removes exactly the fact row it
    produced. `tests/finance/assert_gl_entry_keys_match_landing.sql` checks the two agree.
-#}

{#- JDE F0911: the staging key of stg_jde__f0911 (document company, type, number, G/L date,
    line, ledger type, line extension), from the raw columns of relation alias `alias`. -#}
{% macro finance_jde_f0911_key(alias) -%}
    {{ erpml.erpml_key('jde', 'trim(' ~ alias ~ '."GLKCO")', [
        'trim(' ~ alias ~ '."GLDCT")', 'cast(' ~ alias ~ '."GLDOC" as bigint)',
        'cast(' ~ alias ~ '."GLDGJ" as bigint)', 'cast(' ~ alias ~ '."GLJELN" as bigint)',
        'trim(' ~ alias ~ '."GLLT")', 'trim(' ~ alias ~ '."GLEXTL")']) }}
{%- endmacro %}

{#- Vista bGLDT: company, batch month (first of the month) and GLTrans. -#}
{% macro finance_vista_bgldt_key(company, month, gl_trans) -%}
    {{ erpml.erpml_key('vista', company, [month, gl_trans]) }}
{%- endmacro %}

{#- NetSuite transactionaccountingline: subsidiary, transaction, line and accounting book. -#}
{% macro finance_netsuite_tal_key(subsidiary, transaction, line, book) -%}
    {{ erpml.erpml_key('netsuite', subsidiary, [transaction, line, book]) }}
{%- endmacro %}

{#- The landed accounting lines (deleted ones included) with the subsidiary of their landed
    transactionline (kept, flagged, when the transaction is deleted) as
    "_erpml_line_subsidiary": a relation (subquery) for the tombstone pre-hook and the key
    tie-out. A join rather than a scalar subquery per row: DuckDB decorrelates that into a join
    with every landed line before the caller's filter (deleted, newer than the watermark),
    3.7 s of a changed build's fct_gl_entry at fixture scale 100; constant filters on the
    accounting line's columns reach its scan through the left join; `where` (on `source`, the
    accounting line) is applied below the join. -#}
{% macro finance_netsuite_tal_landed(where=none) -%}
    (select source.*, cast(l."subsidiary" as varchar) as "_erpml_line_subsidiary"
     from {{ source('netsuite', 'transactionaccountingline') }} as source
     left join {{ source('netsuite', 'transactionline') }} as l
         on l."transaction" = source."transaction" and l."id" = source."transactionline"
     {%- if where %}
     where ({{ where }})
     {%- endif %})
{%- endmacro %}

{#- Decimals of var('reporting_currency') amounts (USD cents by default). -#}
{% macro finance_reporting_decimals() -%}
    {{ var('reporting_currency_decimals', 2) }}
{%- endmacro %}

{#- An expression of type `data_type` that fails the query with `message_sql`. For text
    columns: erpml_raise(..., 'varchar') does not fail on PostgreSQL (a text cast of text
    succeeds), so the message is cast to integer first. -#}
{% macro finance_raise(message_sql, data_type) -%}
    {%- if data_type | lower in ('varchar', 'text') -%}
        cast({{ erpml.erpml_raise(message_sql, 'integer') }} as varchar)
    {%- else -%}
        {{ erpml.erpml_raise(message_sql, data_type) }}
    {%- endif -%}
{%- endmacro %}
