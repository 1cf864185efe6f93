{#-
    Tests over the new landing batches only (`erpml build --changed`).

    dbt wraps the model of every generic test in `get_where_subquery` (this project's version
    replaces dbt's). When the environment variable ERPML_TEST_FROM_BATCH holds a batch id,
    tests whose model declares its batch column (`meta: {erpml_batch_column: ...}`, set per
    folder in dbt_project.yml) read only what they must to stay sound:

    - row-by-row tests (not_null, accepted_values, erpml_decodes): the rows of batches at or
      after that id, the rows landed since the last build;
    - unique: every row whose value is also the value of such a row (a new row colliding with
      an old one is caught; old rows were tested by an earlier build);
    - erpml_unique_combination on a feature timeline: the rows its build recomputed (the
      timeline's `__plan`: of each planned entity the rows from its `from_at` on, the only
      ones deleted and inserted; a duplicate (entity, valid_from) needs a new row, and both rows
      then start at or after `from_at`; the other rows are the rows an earlier build tested);
    - anything else (relationships, other erpml_unique_combination, singular tests): all rows.

    Without the variable (plain `dbt build`, `erpml build`) every test reads every row. The
    variable is read only while executing, so it never invalidates dbt's partial parsing. A
    test's own `where` config applies as well.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set scope = erpml.erpml_test_scope(relation) if execute else '' -%}
    {%- set rows = relation -%}
    {%- if scope is mapping -%}
        {#- a feature timeline's recomputed rows: a join with its plan, not a condition -#}
        {%- set rows = '(' ~ scope.rows ~ ') as erpml_scoped' -%}
        {%- set scope = '' -%}
    {%- endif -%}
    {%- set conditions = [where, scope] | select | list -%}
    {%- if conditions or rows is string -%}
        {%- set filtered -%}
            (select * from {{ rows }}{% if conditions %} where ({{ conditions | join(') and (') }}){% endif %}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- The scope condition of the test being run, or '' when it reads every row; for a feature
    timeline's uniqueness test a mapping whose `rows` is the SQL of the rows to read. -#}
{% macro erpml_test_scope(relation) -%}
    {%- set from_batch = env_var('ERPML_TEST_FROM_BATCH', '') -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set parent = graph.nodes.get(model.get('attached_node') or '', {}) -%}
    {%- set column = ((parent.get('config') or {}).get('meta') or {}).get('erpml_batch_column') -%}
    {%- if from_batch and (parent.get('config') or {}).get('materialized') == 'feature_timeline'
          and test.get('name') == 'erpml_unique_combination' -%}
        {#- the rows the timeline's last build recomputed: of each planned entity those from its
            `from_at` on (all of them when NULL; every row when the plan's entity is NULL) -#}
        {#- a hash join on the plan's entity with the from_at bound as its residual (a correlated
            EXISTS was decorrelated by DuckDB into a far slower plan); the plan's entities are
            unique, and a plan with a NULL entity (a full build) has that one row only -#}
        {%- set plan = erpml.feature_timeline_plan(relation) -%}
        {{ return({'rows':
            'select timeline.* from ' ~ relation ~ ' as timeline inner join ' ~ plan ~ ' as erpml_plan'
            ~ ' on erpml_plan.entity_key = timeline.entity_key'
            ~ ' and (erpml_plan.from_at is null or timeline.valid_from >= erpml_plan.from_at)'
            ~ ' union all select * from ' ~ relation
            ~ ' where exists (select 1 from ' ~ plan ~ ' where entity_key is null)'}) }}
    {%- endif -%}
    {%- if not from_batch or not column -%}
        {{ return('') }}
    {%- endif -%}
    {%- set new_rows = column ~ ' >= ' ~ (from_batch | int) -%}
    {%- if test.get('name') in ('not_null', 'accepted_values', 'erpml_decodes') -%}
        {{ return(new_rows) }}
    {%- elif test.get('name') == 'unique' -%}
        {%- set key = test.get('kwargs', {}).get('column_name') -%}
        {{ return(key ~ ' in (select ' ~ key ~ ' from ' ~ relation ~ ' where ' ~ new_rows ~ ')') }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- The columns of the tested model (the test's attached node) with a not_null constraint. -#}
{% macro erpml_contract_not_null_columns() -%}
    {%- set parent = graph.nodes.get(model.get('attached_node') or '', {}) -%}
    {%- set found = [] -%}
    {%- for name, column in (parent.get('columns') or {}).items() -%}
        {%- for constraint in column.get('constraints') or []
              if constraint.get('type') == 'not_null' -%}
            {%- do found.append(name) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{- return(found) -}}
{%- endmacro %}
