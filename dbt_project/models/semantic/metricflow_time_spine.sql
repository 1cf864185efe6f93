{#- One row per day, 2000-01-01 to 2040-12-31: the time spine MetricFlow joins metrics to. -#}
select cast(generate_series as date) as date_day
from generate_series(
    cast('2000-01-01' as timestamp), cast('2040-12-31' as timestamp), interval '1 day'
)
