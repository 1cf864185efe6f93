{#-
    Materialization of a generated feature timeline (`materialized='feature_timeline'`).

    The model's SQL is the feature's spans (`feature_spans`); its config names the aggregation
    (`erpml_aggregation`, `erpml_default_value`, `erpml_value_type`) and the model of its span
    group's fingerprints (`erpml_fingerprints`, materialization `feature_fingerprints`, which
    the model depends on): the group's mart rows per entity and month, compared in each build
    with the last build's, the difference in `<group>__diff` (entity, first month that differs).

    Full build (first build, `--full-refresh`, or any build the difference does not describe):
    the timeline is built whole and swapped in.

    Incremental build, when this dbt invocation built the group's fingerprints and the
    timeline's last build was made, by the same logic, from the fingerprints' previous
    generation (the comment of `<name>__plan` records both; `feature_fingerprints` explains the
    generations): an entity in the difference is planned from `from_at`, the last change point
    of its stored timeline before the first month that differs (NULL: none, the whole entity).
    A span that differs starts in or after that month, so every value and change point before
    it is unchanged, and `from_at` is a change point before and after. The planned entities'
    rows from `from_at` on are deleted, recomputed from the spans still open at `from_at` and
    inserted, in one transaction: a failure leaves the timeline as it was. So a build after a
    small extraction recomputes the entities it touched, from the month it touched, and the
    result equals a full rebuild (`tests/dbt/test_feature_timeline_incremental.py`).

    The plan stays in `<name>__plan` until the next build (after a full build: one row with a
    NULL entity, meaning all): a changed build's uniqueness test of the timeline reads only
    the planned entities (`erpml_test_scope`), the only ones whose rows changed.
-#}
{% materialization feature_timeline, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set aggregation = config.require('erpml_aggregation') -%}
  {%- set default_value = config.get('erpml_default_value', 'null') -%}
  {%- set value_type = config.require('erpml_value_type') -%}
  {%- set plan = erpml.feature_timeline_plan(this) -%}
  {%- set fingerprints = ref(config.require('erpml_fingerprints')) -%}
  {%- set generation = erpml.feature_generation(fingerprints) -%}
  {%- set fresh = generation is not none and generation.invocation == invocation_id -%}
  {#- what the stored rows were computed by: the timeline's SQL around the spans and the
      fingerprints' logic; anything else (a changed macro, default or type) rebuilds -#}
  {%- set logic = 'erpml-timeline:' ~ local_md5(
        erpml.feature_timeline_from(sql, aggregation, default_value, value_type)) -%}
  {%- set made_from = erpml.feature_timeline_logic(plan)
        if adapter.get_relation(database=plan.database, schema=plan.schema,
                                identifier=plan.identifier) is not none else none -%}
  {%- set incremental = fresh and existing_relation is not none and existing_relation.is_table
        and not should_full_refresh()
        and made_from == logic ~ ' ' ~ generation.logic ~ ' ' ~ generation.previous -%}
  {#- after this build the timeline is made from this generation (unknown when this
      invocation did not build the fingerprints: the next build is then whole) -#}
  {%- set made_now = logic ~ ' ' ~ generation.logic ~ ' ' ~ generation.invocation
        if fresh else 'unknown' -%}
  {%- set grant_config = config.get('grants') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if incremental %}
    {% call statement('plan') -%}
      drop table if exists {{ plan }};
      create table {{ plan }} as (
        select diff.entity_key, max(timeline.valid_from) as from_at
        from {{ erpml.feature_timeline_companion(fingerprints, '__diff') }} as diff
        left join {{ target_relation }} as timeline
          on timeline.entity_key = diff.entity_key
          and timeline.valid_from < diff.first_bucket
        group by diff.entity_key
      )
    {%- endcall %}
    {% call statement('delete_planned') -%}
      delete from {{ target_relation }} as timeline using {{ plan }} as plan
      where timeline.entity_key = plan.entity_key
        and (plan.from_at is null or timeline.valid_from >= plan.from_at)
    {%- endcall %}
    {% call statement('main') -%}
      insert into {{ target_relation }} (entity_key, valid_from, valid_to, value)
      select entity_key, valid_from, valid_to, value from (
        {{ erpml.feature_timeline_from(sql, aggregation, default_value, value_type, plan=plan) }}
      ) as recomputed
    {%- endcall %}
  {% else %}
    {%- set intermediate = make_intermediate_relation(target_relation) -%}
    {%- set backup = make_backup_relation(target_relation, 'table') -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate)) }}
    {{ drop_relation_if_exists(load_cached_relation(backup)) }}
    {% call statement('main') -%}
      {{ create_table_as(False, intermediate,
           erpml.feature_timeline_from(sql, aggregation, default_value, value_type)) }}
    {%- endcall %}
    {% if existing_relation is not none %}
      {{ adapter.rename_relation(existing_relation, backup) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate, target_relation) }}
    {#- every entity was built: the plan's one row with a NULL entity says so -#}
    {% call statement('plan') -%}
      drop table if exists {{ plan }};
      create table {{ plan }} as (
        select cast(null as varchar) as entity_key, cast(null as timestamp) as from_at
      )
    {%- endcall %}
    {#- the old table goes before the post-hooks, so an index the hooks create by name does
        not find the name still taken by the old table's index -#}
    {% if existing_relation is not none %}
      {{ drop_relation_if_exists(backup) }}
    {% endif %}
  {% endif %}
  {% call statement('made_from') -%}
    comment on table {{ plan }} is '{{ made_now }}';
    {#- the per-timeline fingerprints of earlier releases -#}
    drop table if exists {{ erpml.feature_timeline_companion(this, '__state') }}
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke(existing_relation, full_refresh_mode=not incremental)) %}
  {% do persist_docs(target_relation, model) %}

  -- `COMMIT` happens here
  {{ adapter.commit() }}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The relation of a timeline's plan: the entities its last build recomputed, and from when. -#}
{% macro feature_timeline_plan(relation) -%}
  {{ return(erpml.feature_timeline_companion(relation, '__plan')) }}
{%- endmacro %}

{#- A table beside the timeline `relation`, named after it with `suffix`: cut and told apart
    by a hash of the whole name when that would pass PostgreSQL's 63 characters. -#}
{% macro feature_timeline_companion(relation, suffix) -%}
  {%- set name = relation.identifier ~ suffix -%}
  {%- if name | length > 63 -%}
    {%- set name = relation.identifier[:63 - 9 - suffix | length] ~ '_'
                   ~ local_md5(relation.identifier)[:8] ~ suffix -%}
  {%- endif -%}
  {{ return(api.Relation.create(database=relation.database, schema=relation.schema,
                                identifier=name, type='table')) }}
{%- endmacro %}

{#- The comment of a timeline's state table: the hash of the logic that computed it. -#}
{% macro feature_timeline_logic(state) -%}
  {{ return(adapter.dispatch('feature_timeline_logic', 'erpml')(state)) }}
{%- endmacro %}

{#- Where reading it is not written for the adapter: none, so the timeline is always built
    whole (correct, not incremental). -#}
{% macro default__feature_timeline_logic(state) -%}
  {{ return(none) }}
{%- endmacro %}

{% macro duckdb__feature_timeline_logic(state) -%}
  {%- set found = run_query(
        "select comment from duckdb_tables() where database_name = '" ~ state.database
        ~ "' and schema_name = '" ~ state.schema ~ "' and table_name = '" ~ state.identifier ~ "'") -%}
  {{ return(found.columns[0].values()[0] if found.rows | length else none) }}
{%- endmacro %}

{% macro postgres__feature_timeline_logic(state) -%}
  {%- set found = run_query("select obj_description('" ~ state ~ "'::regclass, 'pg_class')") -%}
  {{ return(found.columns[0].values()[0]) }}
{%- endmacro %}
