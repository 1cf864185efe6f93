{#-
    Materialization of a span group's fingerprints (`materialized='feature_fingerprints'`):
    the model's SQL is `feature_group_fingerprints` over the mart rows that a group of feature
    timelines reads (one entry per entity and month: count and hash sum of the rows).

    Every build computes them whole, once for all the group's timelines, and compares them
    with the table's rows from its last build: `<name>__diff` gets, per entity whose months
    differ, the first month that differs (`first_bucket`), and the stored rows of those
    entities from that month on are replaced (the rest is already equal). After a first or
    full build, or when the stored rows were computed by other SQL (a changed macro, a
    feature added to the group), `__diff` holds one row with a NULL entity: everything.

    The table's comment names the generation: `<logic> <invocation> <previous invocation>`
    (`none` when there is no comparable previous build). A timeline of the group (materialization
    `feature_timeline`) may apply `__diff` only if this build of the fingerprints ran in its own
    dbt invocation and its own last build was made from the previous generation; otherwise it
    builds whole. So a timeline that missed a build of its group, or a group not selected with
    its timeline, never applies a difference that does not describe it.
-#}
{% materialization feature_fingerprints, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set diff = erpml.feature_timeline_companion(this, '__diff') -%}
  {%- set next_relation = erpml.feature_timeline_companion(this, '__next') -%}
  {%- set logic = 'erpml-fingerprints:' ~ local_md5(sql) -%}
  {%- set previous = erpml.feature_generation(existing_relation)
        if existing_relation is not none and existing_relation.is_table else none -%}
  {%- set comparable = previous is not none and previous.logic == logic
        and not should_full_refresh() -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if comparable %}
    {#- this build's rows go to a temporary table; the stored table is mended where they
        differ (per entity, from its first differing month on), not written whole: a build
        after a small extraction writes the few entities it touched -#}
    {% call statement('main') -%}
      create temporary table {{ next_relation.identifier }} as ({{ sql }})
    {%- endcall %}
    {% call statement('diff') -%}
      drop table if exists {{ diff }};
      create table {{ diff }} as (
        select
          coalesce(new.entity_key, old.entity_key) as entity_key,
          min(coalesce(new.bucket, old.bucket)) as first_bucket
        from {{ next_relation.identifier }} as new
        full outer join {{ existing_relation }} as old
          on old.entity_key = new.entity_key and old.bucket = new.bucket
        where new.n is distinct from old.n or new.h is distinct from old.h
        group by 1
      )
    {%- endcall %}
    {% call statement('mend') -%}
      delete from {{ target_relation }} as old using {{ diff }} as diff
      where old.entity_key = diff.entity_key and old.bucket >= diff.first_bucket;
      insert into {{ target_relation }} (entity_key, bucket, n, h)
      select new.entity_key, new.bucket, new.n, new.h
      from {{ next_relation.identifier }} as new
      join {{ diff }} as diff
        on new.entity_key = diff.entity_key and new.bucket >= diff.first_bucket;
      drop table {{ next_relation.identifier }}
    {%- endcall %}
  {% else %}
    {% call statement('main') -%}
      drop table if exists {{ next_relation }};
      create table {{ next_relation }} as ({{ sql }})
    {%- endcall %}
    {#- nothing to compare with: the difference is everything -#}
    {% call statement('diff') -%}
      drop table if exists {{ diff }};
      create table {{ diff }} as (
        select cast(null as varchar) as entity_key, cast(null as timestamp) as first_bucket
      )
    {%- endcall %}
    {% if existing_relation is not none %}
      {{ adapter.drop_relation(existing_relation) }}
    {% endif %}
    {{ adapter.rename_relation(next_relation, target_relation) }}
  {% endif %}
  {% call statement('generation') -%}
    comment on table {{ target_relation }} is
      '{{ logic }} {{ invocation_id }} {{ previous.invocation if comparable else "none" }}'
  {%- endcall %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}
  -- `COMMIT` happens here
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The generation a fingerprint table's comment names: a mapping of `logic`, `invocation`
    (the dbt invocation that built it) and `previous` (the invocation of the build it was
    compared with, or 'none'); none when the table has no such comment. -#}
{% macro feature_generation(relation) -%}
  {%- set comment = erpml.feature_timeline_logic(relation) -%}
  {%- set parts = (comment or '').split(' ') -%}
  {%- if parts | length != 3 or not parts[0].startswith('erpml-fingerprints:') -%}
    {{ return(none) }}
  {%- endif -%}
  {{ return({'logic': parts[0], 'invocation': parts[1], 'previous': parts[2]}) }}
{%- endmacro %}
