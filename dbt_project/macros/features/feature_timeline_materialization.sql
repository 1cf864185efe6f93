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

    Through a change feed: a mart that logs the keys of the rows each build deletes or writes
    declares an `erpml_change_feed` (`feature_change_feed` below; fct_ar_invoice and
    fct_sales_order_line do). Its timelines then keep their state per mart row (`row_key`,
    entity, month, hash of its span: `feature_timeline_rows`) and an incremental build reads
    only the rows the logs name since the state's build (the state's comment says when:
    `<logic>@<run start>`): their spans now, beside their stored ones; an entity is planned
    from the first month where a span differs, and only those rows of the state are replaced.
    So the work follows the changed rows, not the mart's size. When the logs cannot say (a log
    missing, or a marker after the state's build: the mart was rebuilt whole, or the log was
    pruned), every row is compared, as without a feed; the result is the same either way.

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
  {#- the mart's change feed (the spans then carry the mart's row key): none, or the logs
      naming the rows that changed since a time -#}
  {%- set feed = erpml.feature_change_feed() -%}
  {%- set state_sql = erpml.feature_timeline_rows(sql) if feed is not none
        else erpml.feature_timeline_fingerprints(sql) -%}
  {#- what the stored rows were computed by: the spans' SQL and the timeline's and the
      state's SQL around it, and the code of the mart and the views under it when the feed
      is read; anything else (a changed macro, default or type) rebuilds -#}
  {%- set logic = 'erpml-timeline:' ~ local_md5(
        erpml.feature_timeline_from(sql, aggregation, default_value, value_type)
        ~ state_sql ~ (feed.code if feed is not none else '')) -%}
  {#- the state's comment: `<logic>@<start of the run that built it>` -#}
  {%- set stored = (erpml.feature_timeline_logic(existing_state) if existing_state is not none
        else none) or '' -%}
  {%- set stored_logic = stored.split('@')[0] -%}
  {%- set stored_at = stored.split('@')[1] if '@' in stored else none -%}
  {%- set stamp = run_started_at.strftime('%Y-%m-%d %H:%M:%S.%f') -%}
  {%- set incremental = existing_relation is not none and existing_relation.is_table
        and existing_state is not none and not should_full_refresh()
        and stored_logic == logic -%}
  {%- set grant_config = config.get('grants') -%}
  {%- set backups = [] -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% if incremental %}
    {%- set next_state = erpml.feature_timeline_companion(this, '__state_next') -%}
    {%- set touched = none -%}
    {% if feed is not none and stored_at is not none
          and erpml.feature_change_logs_cover(feed, stored_at) %}
      {#- the rows the feed names since the last build: their spans now, beside their
          stored ones -#}
      {%- set touched = erpml.feature_timeline_companion(this, '__touched') -%}
      {% call statement('fingerprints') -%}
        drop table if exists {{ touched }};
        create table {{ touched }} as (
          select distinct row_key from ({{ erpml.feature_change_keys(feed, stored_at) }}) as keys
        );
        drop table if exists {{ next_state }};
        create table {{ next_state }} as (
          select * from ({{ state_sql }}) as rows_now
          where row_key in (select row_key from {{ touched }})
        )
      {%- endcall %}
    {% else %}
      {#- the spans' fingerprints (or rows) now: compared with the state, then put in its
          place -#}
      {% call statement('fingerprints') -%}
        drop table if exists {{ next_state }};
        create table {{ next_state }} as ({{ state_sql }})
      {%- endcall %}
    {% endif %}
    {% call statement('plan') -%}
      drop table if exists {{ plan }};
      create table {{ plan }} as (
        with
        {%- if feed is not none %}
        old as (
          select * from {{ state_relation }}
          {%- if touched is not none %}
          where row_key in (select row_key from {{ touched }})
          {%- endif %}
        ),
        differing as (
          select
            old.entity_key as old_entity, old.bucket as old_bucket,
            new.entity_key as new_entity, new.bucket as new_bucket
          from {{ next_state }} as new
          full outer join old on old.row_key = new.row_key
          where new.entity_key is distinct from old.entity_key
            or new.bucket is distinct from old.bucket
            or new.h is distinct from old.h
        ),
        changed as (
          select entity_key, min(bucket) as first_bucket from (
            select old_entity as entity_key, old_bucket as bucket from differing
            where old_entity is not null
            union all
            select new_entity, new_bucket from differing where new_entity is not null
          ) as sides
          group by 1
        )
        {%- else %}
        changed as (
          select
            coalesce(new.entity_key, old.entity_key) as entity_key,
            min(coalesce(new.bucket, old.bucket)) as first_bucket
          from {{ next_state }} as new
          full outer join {{ state_relation }} as old
            on old.entity_key = new.entity_key and old.bucket = new.bucket
          where new.n is distinct from old.n or new.h is distinct from old.h
          group by 1
        )
        {%- endif %}
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
    {% if touched is not none %}
      {#- the touched rows' state replaced: a few rows, not the whole table -#}
      {% call statement('state') -%}
        delete from {{ state_relation }} where row_key in (select row_key from {{ touched }});
        insert into {{ state_relation }} select * from {{ next_state }};
        drop table {{ next_state }};
        drop table {{ touched }}
      {%- endcall %}
    {% else %}
      {{ adapter.drop_relation(state_relation) }}
      {{ adapter.rename_relation(next_state, state_relation) }}
    {% endif %}
    {% call statement('state_comment') -%}
      comment on table {{ state_relation }} is '{{ logic }}@{{ stamp }}'
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
          {{ create_table_as(False, intermediate, state_sql) }}
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
      comment on table {{ state_relation }} is '{{ logic }}@{{ stamp }}';
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

{#-
    The change feed of the mart the current feature model reads, or none.

    A mart declares one in its meta: `erpml_change_feed: {key: <unique row key>, logs: [<models
    whose change logs name the mart's changed rows>], also: <SQL condition: rows that may have
    changed whatever the logs say>, not_covered: [<columns whose changes the feed does not
    name>]}` (macros/core/erpml_change_log.sql). The feed is used only when the model's code
    names none of the `not_covered` columns. Returned: the key, the mart relation, the log
    relations, `also`, and `code`: a hash of the code of the mart and of the views under it
    (and their macros), whose changes no log records, so that a change to them rebuilds.
-#}
{% macro feature_change_feed() -%}
  {%- if not execute or model is not defined or graph is not defined -%}
    {{ return(none) }}
  {%- endif -%}
  {%- set marts = [] -%}
  {%- for id in model.depends_on.nodes if id.startswith('model.') -%}
    {%- do marts.append(id) -%}
  {%- endfor -%}
  {%- set mart = graph.nodes.get(marts[0]) if marts | length == 1 else none -%}
  {%- set feed = mart.config.meta.get('erpml_change_feed') if mart is not none else none -%}
  {%- if feed is none -%}
    {{ return(none) }}
  {%- endif -%}
  {%- for column in feed.get('not_covered', []) -%}
    {%- if modules.re.search('\\b' ~ column ~ '\\b', model.raw_code) -%}
      {{ return(none) }}
    {%- endif -%}
  {%- endfor -%}
  {%- set logs = [] -%}
  {%- for name in feed['logs'] -%}
    {%- set owner = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) -%}
    {%- if owner is none -%}
      {{ exceptions.raise_compiler_error(
          'erpml_change_feed of ' ~ marts[0] ~ ': no model ' ~ name ~ ' keeps a change log') }}
    {%- endif -%}
    {%- do logs.append(erpml.erpml_change_log_relation(api.Relation.create(
          database=owner.database, schema=owner.schema, identifier=owner.alias))) -%}
  {%- endfor -%}
  {#- the mart and the views (and ephemeral models) under it, with their macros -#}
  {%- set code = [] -%}
  {%- set ns = namespace(nodes=[marts[0]], macros=[]) -%}
  {%- for depth in range(20) -%}
    {%- set upstream = [] -%}
    {%- for id in ns.nodes -%}
      {%- set node = graph.nodes.get(id) -%}
      {%- if node is not none and (id == marts[0]
            or node.config.materialized in ('view', 'ephemeral')) -%}
        {%- do code.append(id ~ ':' ~ node.checksum.checksum) -%}
        {%- do upstream.extend(node.depends_on.nodes) -%}
        {%- do ns.macros.extend(node.depends_on.macros) -%}
      {%- endif -%}
    {%- endfor -%}
    {%- set ns.nodes = upstream -%}
  {%- endfor -%}
  {%- set seen = [] -%}
  {%- for depth in range(20) -%}
    {%- set called = [] -%}
    {%- for id in ns.macros if id not in seen and id in graph.macros -%}
      {%- do seen.append(id) -%}
      {%- do code.append(id ~ ':' ~ local_md5(graph.macros[id].macro_sql)) -%}
      {%- do called.extend(graph.macros[id].depends_on.macros) -%}
    {%- endfor -%}
    {%- set ns.macros = called -%}
  {%- endfor -%}
  {{ return({
      'key': feed['key'],
      'mart': api.Relation.create(database=mart.database, schema=mart.schema, identifier=mart.alias),
      'logs': logs,
      'also': feed.get('also'),
      'code': local_md5(code | sort | join('\n')),
  }) }}
{%- endmacro %}

{#- Whether the feed's logs name every row changed after `since`: each log exists and holds
    no marker (a NULL key: "anything may have changed") after it. -#}
{% macro feature_change_logs_cover(feed, since) -%}
  {%- set counts = [] -%}
  {%- for log in feed['logs'] -%}
    {%- if adapter.get_relation(database=log.database, schema=log.schema,
          identifier=log.identifier) is none -%}
      {{ return(false) }}
    {%- endif -%}
    {%- do counts.append('select count(*) as n from ' ~ log ~ " where key is null and logged_at > cast('"
          ~ since ~ "' as timestamp)") -%}
  {%- endfor -%}
  {%- set found = run_query('select sum(n) from (' ~ counts | join(' union all ') ~ ') as markers') -%}
  {{ return(found.columns[0].values()[0] | int == 0) }}
{%- endmacro %}

{#- SQL: the mart's row keys the feed names as changed after `since` (with repeats). -#}
{% macro feature_change_keys(feed, since) -%}
  {%- for log in feed['logs'] %}
    {%- if not loop.first %} union all {% endif %}
    select key as row_key from {{ log }}
    where key is not null and logged_at > cast('{{ since }}' as timestamp)
  {%- endfor %}
  {%- if feed['also'] %}
    union all
    select cast({{ feed['key'] }} as varchar) from {{ feed['mart'] }} where {{ feed['also'] }}
  {%- endif %}
{%- endmacro %}
