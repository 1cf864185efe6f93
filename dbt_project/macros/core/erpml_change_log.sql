{#-
    Change logs: the keys of the rows an incremental model deleted or (re)wrote, and when.

    A model opts in with `meta={'erpml_change_log': '<unique key column>'}`, the pre-hook
    `erpml_change_log_open()` first among its pre-hooks, `incremental_strategy='erpml_logged'`
    (delete+insert by the unique key, logging the keys it writes) and `erpml_logged_delete` in
    the pre-hooks that delete rows. Beside the model, `<model>__changes` (key, logged_at) then
    holds every key the model touched, stamped with the invocation's start (`run_started_at`):
    a reader that last read the model at time W re-reads the keys logged after W and nothing
    else (`feature_timeline` does so for the marts that declare an `erpml_change_feed`).

    A row with a NULL key is a marker: "anything may have changed at or before this time".
    A build that is not incremental (first build, `--full-refresh`) starts the log with one,
    and so does pruning (keys older than `erpml_change_log_days`, default 35): a reader whose
    W is older than a marker cannot trust the log and compares everything instead. The log is
    written in the model's transaction, so a failed build logs nothing.
-#}

{#- The change log of `relation` (a companion table beside it). -#}
{% macro erpml_change_log_relation(relation) -%}
  {{ return(erpml.feature_timeline_companion(relation, '__changes')) }}
{%- endmacro %}

{#- This invocation's stamp, as a SQL timestamp literal (the same in every model of a run). -#}
{% macro erpml_run_stamp() -%}
  cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{#- The pre-hook that starts (not incremental) or prunes (incremental) the model's log. -#}
{% macro erpml_change_log_open() -%}
  {%- set log = erpml.erpml_change_log_relation(this) -%}
  {%- set days = var('erpml_change_log_days', 35) | int -%}
  {%- if is_incremental() -%}
    create table if not exists {{ log }} as
      select cast(null as varchar) as key, {{ erpml.erpml_run_stamp() }} as logged_at;
    insert into {{ log }}
      select cast(null as varchar), {{ erpml.erpml_run_stamp() }} - interval '{{ days }} days'
      where exists (
        select 1 from {{ log }} where logged_at < {{ erpml.erpml_run_stamp() }} - interval '{{ days }} days');
    delete from {{ log }} where logged_at < {{ erpml.erpml_run_stamp() }} - interval '{{ days }} days'
  {%- else -%}
    drop table if exists {{ log }};
    create table {{ log }} as
      select cast(null as varchar) as key, {{ erpml.erpml_run_stamp() }} as logged_at
  {%- endif -%}
{%- endmacro %}

{#- The key column a model logs (its meta `erpml_change_log`), or none. -#}
{% macro erpml_change_log_key() -%}
  {{ return(config.get('meta', {}).get('erpml_change_log')) }}
{%- endmacro %}

{#-
    Delete the rows of the current model matching `condition` (SQL over its columns, the table
    aliased `t`), logging their keys first when the model keeps a change log.
-#}
{% macro erpml_logged_delete(condition) -%}
  {%- set key = erpml.erpml_change_log_key() -%}
  {%- if key %}
    insert into {{ erpml.erpml_change_log_relation(this) }}
      select distinct cast(t.{{ key }} as varchar), {{ erpml.erpml_run_stamp() }}
      from {{ this }} as t where {{ condition }};
  {%- endif %}
    delete from {{ this }} as t where {{ condition }}
{%- endmacro %}

{#- Incremental strategy `erpml_logged`: delete+insert by the unique key, logging the keys. -#}
{% macro get_incremental_erpml_logged_sql(arg_dict) -%}
  {%- set key = erpml.erpml_change_log_key() -%}
  {%- if not key or key != arg_dict['unique_key'] -%}
    {{ exceptions.raise_compiler_error(
        'erpml_logged: ' ~ this ~ " must set meta erpml_change_log to its unique_key ('"
        ~ arg_dict['unique_key'] ~ "')") }}
  {%- endif -%}
  insert into {{ erpml.erpml_change_log_relation(arg_dict['target_relation']) }}
    select distinct cast({{ key }} as varchar), {{ erpml.erpml_run_stamp() }}
    from {{ arg_dict['temp_relation'] }};
  {{ get_incremental_delete_insert_sql(arg_dict) }}
{%- endmacro %}
