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
-#}
{% macro feature_timeline(relation, key, expression, aggregation, filter, window_days, offset_days, event_time, known_at, known_until, default_value, value_type) -%}
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
),
{%- if aggregation == 'latest' %}
points as (
    select entity_key, known_from as changed_at from src
    union
    select entity_key, known_to as changed_at from src where known_to is not null
),
picked as (
    select
        p.entity_key,
        p.changed_at as valid_from,
        s.x,
        row_number() over (
            partition by p.entity_key, p.changed_at
            order by s.known_from desc nulls last, s.x desc nulls last
        ) as pick
    from points as p
    left join src as s
        on s.entity_key = p.entity_key
        and s.known_from <= p.changed_at
        and (s.known_to is null or p.changed_at < s.known_to)
)
select
    entity_key,
    valid_from,
    lead(valid_from) over (partition by entity_key order by valid_from) as valid_to,
    x as value
from picked
where pick = 1
{%- else %}
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
),
counted as (
    select * from spans where t_out is null or t_out > t_in
),
deltas as (
    select entity_key, t_in as changed_at, x as dsum, 1 as dcnt from counted
    union all
    select entity_key, t_out as changed_at, -x as dsum, -1 as dcnt from counted where t_out is not null
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
