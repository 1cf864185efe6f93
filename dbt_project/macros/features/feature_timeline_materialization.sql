{#-
    Materialization of a generated feature timeline (`materialized='feature_timeline'`).

    The model's SQL is the feature's spans (`feature_spans`); its config names the aggregation
    (`erpml_aggregation`, `erpml_default_value`, `erpml_value_type`). Beside the timeline the
    model keeps `<name>__state`: per entity and month, the count and hash sum of its spans
    (`feature_timeline_fingerprints`).

    Full build (first build, `--full-refresh`, no state yet, or state computed by other
    logic: the state table's comment holds a hash of the SQL that computed it, so an upgraded
    macro or a changed default rebuilds rather than mixing old and new rows; read on DuckDB and
    PostgreSQL, other adapters always build whole): the timeline and its state are built whole
    and swapped in.

    Incremental build: the spans' fingerprints, computed into `<name>__state_next`, are
    compared with the state. An entity whose months differ (new, changed or vanished mart
    rows) is planned from `from_at`, the last change point of its stored timeline before the
    first month that differs (NULL: none, the whole entity). A span that differs starts in or
    after that month, so every value and change point before it is unchanged, and `from_at` is
    a change point before and after. The planned entities' rows from `from_at` on are deleted,
    recomputed from the spans still open at `from_at` and inserted; the new fingerprints then
    replace the state table (written whole by the query that computed them: merging them
    would delete and insert most months of a long window's entities, and DuckDB logs every
    deleted and every small inserted row until a checkpoint). All in one transaction: a
    failure leaves the timeline and its state as they were. So a build after a small
    extraction recomputes the entities it touched, from the month it touched, and the result
    equals a full rebuild (`tests/dbt/test_feature_timeline_incremental.py`).

    The plan stays in `<name>__plan` until the next build (after a full build: one row with a
    NULL entity, meaning all): a changed build's uniqueness test of the timeline reads only
    the planned entities (`erpml_test_scope`), the only ones whose rows changed.
-#}
{% materialization feature_timeline, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set state_relation = erpml.feature_timeline_companion(this, '__state') -%}
  {%- set existing_state = adapter.get_relation(
        database=this.database, schema=this.schema, identifier=state_relation.identifier) -%}
  {%- set aggregation = config.require('erpml_aggregation') -%}
  {%- set default_value = config.get('erpml_default_value', 'null') -%}
  {%- set value_type = config.require('erpml_value_type') -%}
  {%- set plan = erpml.feature_timeline_plan(this) -%}
  {#- what the stored rows were computed by: the spans' SQL and the timeline's and the
      fingerprints' SQL around it; anything else (a changed macro, default or type) rebuilds -#}
  {%- set logic = 'erpml-timeline:' ~ local_md5(
        erpml.feature_timeline_from(sql, aggregation, default_value, value_type)
        ~ erpml.feature_timeline_fingerprints(sql)) -%}
  {%- set incremental = existing_relation is not none and existing_relation.is_table
        and existing_state is not none and not should_full_refresh()
        and erpml.feature_timeline_logic(existing_state) == logic -%}
  {%- set grant_config = config.get('grants') -%}
  {%- set backups = [] -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if incremental %}
    {#- the spans' fingerprints now: compared with the state, then put in its place -#}
    {%- set next_state = erpml.feature_timeline_companion(this, '__state_next') -%}
    {% call statement('fingerprints') -%}
      drop table if exists {{ next_state }};
      create table {{ next_state }} as ({{ erpml.feature_timeline_fingerprints(sql) }})
    {%- endcall %}
    {% call statement('plan') -%}
      drop table if exists {{ plan }};
      create table {{ plan }} as (
        with changed as (
          select
            coalesce(new.entity_key, old.entity_key) as entity_key,
            min(coalesce(new.bucket, old.bucket)) as first_bucket
          from {{ next_state }} as new
          full outer join {{ state_relation }} as old
            on old.entity_key = new.entity_key and old.bucket = new.bucket
          where new.n is distinct from old.n or new.h is distinct from old.h
          group by 1
        )
        select changed.entity_key, max(timeline.valid_from) as from_at
        from changed
        left join {{ target_relation }} as timeline
          on timeline.entity_key = changed.entity_key
          and timeline.valid_from < changed.first_bucket
        group by changed.entity_key
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
    {{ adapter.drop_relation(state_relation) }}
    {{ adapter.rename_relation(next_state, state_relation) }}
    {% call statement('state') -%}
      comment on table {{ state_relation }} is '{{ logic }}'
    {%- endcall %}
  {% else %}
    {%- for relation, existing in [(target_relation, existing_relation), (state_relation, existing_state)] -%}
      {%- set intermediate = make_intermediate_relation(relation) -%}
      {%- set backup = make_backup_relation(relation, 'table') -%}
      {{ drop_relation_if_exists(load_cached_relation(intermediate)) }}
      {{ drop_relation_if_exists(load_cached_relation(backup)) }}
      {%- if relation == target_relation %}
        {% call statement('main') -%}
          {{ create_table_as(False, intermediate,
               erpml.feature_timeline_from(sql, aggregation, default_value, value_type)) }}
        {%- endcall %}
      {%- else %}
        {% call statement('state') -%}
          {{ create_table_as(False, intermediate, erpml.feature_timeline_fingerprints(sql)) }}
        {%- endcall %}
      {%- endif %}
      {% if existing is not none %}
        {{ adapter.rename_relation(existing, backup) }}
        {% do backups.append(backup) %}
      {% endif %}
      {{ adapter.rename_relation(intermediate, relation) }}
    {%- endfor %}
    {#- every entity was built: the plan's one row with a NULL entity says so -#}
    {% call statement('plan') -%}
      comment on table {{ state_relation }} is '{{ logic }}';
      drop table if exists {{ plan }};
      create table {{ plan }} as (
        select cast(null as varchar) as entity_key, cast(null as timestamp) as from_at
      )
    {%- endcall %}
    {#- the old tables go before the post-hooks, so an index the hooks create by name does
        not find the name still taken by the old table's index -#}
    {% for backup in backups %}
      {{ drop_relation_if_exists(backup) }}
    {% endfor %}
  {% endif %}

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
