{#-
    feature_timeline: the value of one feature for every entity over time, at knowledge time.

    One row per entity and change point: `valid_from` (inclusive) to `valid_to` (exclusive,
    NULL = still valid), `value`. A mart row counts for an entity from
    t_in = greatest(known_at, event_time) until t_out = the earliest of event_time + window and
    known_until (when the row stopped being true: a later correction or a delete). So at time t
    the value aggregates the rows with t_in <= t < t_out: known at t, event in (t - window, t].
    `offset_days` shifts the window back: events in (t - offset - window, t - offset].

    sum / count / avg are running sums of +x at t_in and -x at t_out (exact on numerics).
    latest takes, at every change point, the most recently known row still valid (ties: the
    larger value): a range join per entity, meant for marts with few rows per entity.
    An entity with rows but none in the window gets `default_value`.

    Built in two steps, so that a model can rebuild only what new mart rows change
    (materialization `feature_timeline`, next file):
    - `feature_spans`: the mart rows as spans (entity_key, t_in, t_out, x); for sum, count and
      avg only the spans that count (x not null, t_out after t_in); for latest every known row,
      t_in = known_at and t_out = known_until;
    - `feature_timeline_from`: the timeline of those spans; with a `plan` (entity_key, from_at)
      only the planned entities' change points from `from_at` on (all of them when NULL).
-#}
{% macro feature_timeline(relation, key, expression, aggregation, filter, window_days, offset_days, event_time, known_at, known_until, default_value, value_type) -%}
{%- set spans = erpml.feature_spans(relation, key, expression, aggregation, filter, window_days, offset_days, event_time, known_at, known_until, value_type) -%}
{{ erpml.feature_timeline_from(spans, aggregation, default_value, value_type) }}
{%- endmacro %}

{% macro feature_spans(relation, key, expression, aggregation, filter, window_days, offset_days, event_time, known_at, known_until, value_type) -%}
{%- set shifted -%}{% if offset_days %}event_at + interval '{{ offset_days }} days'{% else %}event_at{% endif %}{%- endset -%}
{%- if aggregation == 'count' -%}
{%- set typed -%}case when ({{ expression }}) is not null then 1 end{%- endset -%}
{%- else -%}
{%- set typed -%}cast({{ expression }} as {{ value_type }}){%- endset -%}
{%- endif -%}
with src as (
    select
        cast({{ key }} as varchar) as entity_key,
        cast({{ known_at }} as timestamp) as known_from,
        {% if known_until %}cast({{ known_until }} as timestamp){% else %}cast(null as timestamp){% endif %} as known_to,
        cast({{ event_time }} as timestamp) as event_at,
        {{ typed }} as x
    from {{ relation }}
    where {{ key }} is not null
      and {{ known_at }} is not null
      and ({{ filter or 'true' }})
)
{%- if aggregation == 'latest' %}
select entity_key, known_from as t_in, known_to as t_out, x from src
{%- else %},
spans as (
    select
        entity_key,
        x,
        case when event_at is not null and {{ shifted }} > known_from then {{ shifted }} else known_from end as t_in,
        {%- if window_days %}
        case
            when known_to is not null and known_to < {{ shifted }} + interval '{{ window_days }} days' then known_to
            else {{ shifted }} + interval '{{ window_days }} days'
        end as t_out
        {%- else %}
        known_to as t_out
        {%- endif %}
    from src
    where x is not null{% if window_days %} and event_at is not null{% endif %}
)
select entity_key, t_in, t_out, x from spans where t_out is null or t_out > t_in
{%- endif %}
{%- endmacro %}

{#-
    The timeline of `spans` (SQL from feature_spans). With `plan` (a relation of entity_key,
    from_at), only the planned entities, and of each only the change points at or after
    `from_at` (every point when NULL). `from_at` must be a change point of the entity's
    timeline that the change leaves in place (the materialization takes the last point before
    the first changed month): the value there is recomputed from the spans still open at it.
-#}
{% macro feature_timeline_from(spans, aggregation, default_value, value_type, plan=none) -%}
with s as (
{%- if plan is none %}
    select entity_key, t_in, t_out, x, cast(null as timestamp) as from_at from ({{ spans }}) as spans
{%- else %}
    select spans.entity_key, spans.t_in, spans.t_out, spans.x, plan.from_at
    from ({{ spans }}) as spans
    inner join {{ plan }} as plan on plan.entity_key = spans.entity_key
{%- endif %}
),
{%- if aggregation == 'latest' %}
points as (
    select entity_key, t_in as changed_at from s where from_at is null or t_in >= from_at
    union
    select entity_key, t_out as changed_at from s
    where t_out is not null and (from_at is null or t_out >= from_at)
    {%- if plan is not none %}
    union
    select entity_key, from_at as changed_at from {{ plan }} where from_at is not null
    {%- endif %}
),
picked as (
    select
        p.entity_key,
        p.changed_at as valid_from,
        s.x,
        row_number() over (
            partition by p.entity_key, p.changed_at
            order by s.t_in desc nulls last, s.x desc nulls last
        ) as pick
    from points as p
    left join s
        on s.entity_key = p.entity_key
        and s.t_in <= p.changed_at
        and (s.t_out is null or p.changed_at < s.t_out)
)
select
    entity_key,
    valid_from,
    lead(valid_from) over (partition by entity_key order by valid_from) as valid_to,
    x as value
from picked
where pick = 1
{%- else %}
open_spans as (
    {#- a span still open at from_at counts from from_at: the running sums start there -#}
    select
        entity_key,
        case when from_at is not null and t_in < from_at then from_at else t_in end as t_in,
        t_out,
        x
    from s
    where from_at is null or t_out is null or t_out > from_at
),
deltas as (
    select entity_key, t_in as changed_at, x as dsum, 1 as dcnt from open_spans
    union all
    select entity_key, t_out as changed_at, -x as dsum, -1 as dcnt from open_spans where t_out is not null
    {%- if plan is not none %}
    union all
    select entity_key, from_at as changed_at, null as dsum, 0 as dcnt from {{ plan }} where from_at is not null
    {%- endif %}
),
points as (
    select entity_key, changed_at, sum(dsum) as dsum, sum(dcnt) as dcnt
    from deltas
    group by entity_key, changed_at
),
running as (
    select
        entity_key,
        changed_at as valid_from,
        sum(dsum) over (partition by entity_key order by changed_at rows between unbounded preceding and current row) as s,
        sum(dcnt) over (partition by entity_key order by changed_at rows between unbounded preceding and current row) as n
    from points
)
select
    entity_key,
    valid_from,
    lead(valid_from) over (partition by entity_key order by valid_from) as valid_to,
    case
        when n = 0 then {{ default_value }}
        {%- if aggregation == 'sum' %}
        else cast(s as {{ value_type }})
        {%- elif aggregation == 'count' %}
        else cast(n as {{ value_type }})
        {%- else %}
        else cast(s as numeric(38, 10)) / n
        {%- endif %}
    end as value
from running
{%- endif %}
{%- endmacro %}

{#-
    The fingerprints of the mart rows a group of timelines reads (features on the same mart,
    entity key, filter, kind, known_at, known_until and offset; `semantic_models.compile`
    groups them): per entity and month, the count of rows and the sum of a 64-bit hash of each
    row's known_from, known_to, event times and expressions, everything any span of the group's
    timelines is computed from. A row's month is that of the earliest point any of its spans
    can have (the least of its t_in over the group's event times, and of known_to): a span
    that differs between two builds starts in or after the first month whose fingerprint
    differs. Two different multisets of rows give the same (count, sum) only by a hash
    collision (about 2^-64 per month that changed).
-#}
{% macro feature_group_fingerprints(relation, key, filter, latest, offset_days, known_at, known_until, expressions, event_times) -%}
{%- set known_to -%}{% if known_until %}cast({{ known_until }} as timestamp){% else %}cast(null as timestamp){% endif %}{%- endset -%}
{%- set starts = [] -%}
{%- for event in event_times -%}
  {#- a span's t_in, as `feature_spans` computes it for this event time -#}
  {%- set shifted -%}event_{{ loop.index }}{% if offset_days %} + interval '{{ offset_days }} days'{% endif %}{%- endset -%}
  {%- do starts.append('case when event_' ~ loop.index ~ ' is not null and ' ~ shifted ~ ' > known_from then '
                       ~ shifted ~ ' else known_from end') -%}
{%- endfor -%}
with src as (
    select
        cast({{ key }} as varchar) as entity_key,
        cast({{ known_at }} as timestamp) as known_from,
        {{ known_to }} as known_to,
        {%- for event in event_times %}
        cast({{ event }} as timestamp) as event_{{ loop.index }},
        {%- endfor %}
        {{ erpml.erpml_row_hash(['cast(' ~ known_at ~ ' as timestamp)', known_to]
             + event_times + expressions) }} as h
    from {{ relation }}
    where {{ key }} is not null
      and {{ known_at }} is not null
      and ({{ filter or 'true' }})
),
starts as (
    select
        entity_key,
        h,
        {% if starts | length > 1 %}least({{ starts | join(', ') }}){% elif starts %}{{ starts[0] }}{% else %}known_from{% endif %} as t_in,
        known_to
    from src
)
select
    entity_key,
    date_trunc('month', case when known_to < t_in then known_to else t_in end) as bucket,
    count(*) as n,
    sum(h) as h
from starts
group by 1, 2
{%- endmacro %}

{% macro erpml_row_hash(columns) -%}
    {{ return(adapter.dispatch('erpml_row_hash', 'erpml')(columns)) }}
{%- endmacro %}

{% macro default__erpml_row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro postgres__erpml_row_hash(columns) -%}
    hashtextextended(row({{ columns | join(', ') }})::text, 0)
{%- endmacro %}
