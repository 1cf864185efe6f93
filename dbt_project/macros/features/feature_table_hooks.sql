{#-
    Post-hooks of a generated feature timeline: a table comment naming the definition it was
    built from (`erpml:<name@version>:<fingerprint>`, checked before any snapshot or scoring
    reads it) and, on PostgreSQL, the (entity_key, valid_from) index point-in-time lookups use.
-#}
{% macro feature_table_comment(ref, fingerprint) -%}
    comment on table {{ this }} is 'erpml:{{ ref }}:{{ fingerprint }}'
{%- endmacro %}

{% macro feature_table_index() -%}
    {{ return(adapter.dispatch('feature_table_index', 'erpml')()) }}
{%- endmacro %}

{% macro default__feature_table_index() -%}
    select 1
{%- endmacro %}

{% macro postgres__feature_table_index() -%}
    create index if not exists {{ this.identifier }}__pit on {{ this }} (entity_key, valid_from)
{%- endmacro %}
