{%- set intersection = [
    'entity', 'parent', 'cons', 'scenario', 'stored_view', 'account', 'flow', 'origin', 'ic',
    'ud1', 'ud2', 'ud3', 'ud4', 'ud5', 'ud6', 'ud7', 'ud8'] -%}

with source as (
    select * from {{ source('onestream', 'cube_data') }}
    where not "_erpml_deleted"
),

renamed as (
    select
        "entity" as entity,
        "parent" as parent,
        "cons" as cons,
        "scenario" as scenario,
        "time" as time_member,
        {{ onestream_time_year('"time"') }} as fiscal_year,
        {{ onestream_time_period('"time"') }} as period,
        {{ onestream_time_month_start('"time"') }} as month_start,
        "view" as stored_view,
        "account" as account,
        {{ onestream_is_balance_account('"account"') }} as is_balance_account,
        "flow" as flow,
        "origin" as origin,
        "ic" as ic,
        "ud1" as ud1,
        "ud2" as ud2,
        "ud3" as ud3,
        "ud4" as ud4,
        "ud5" as ud5,
        "ud6" as ud6,
        "ud7" as ud7,
        "ud8" as ud8,
        "amount" as stored_amount,
        "source_file" as source_file,
        "_erpml_batch_id" as erpml_batch_id,
        "_erpml_extracted_at" as erpml_extracted_at
    from source
),

periodic as (
    select
        renamed.*,
        case when is_balance_account then 0 else fiscal_year end as ytd_restart_year
    from renamed
),

final as (
    select
        entity,
        parent,
        cons,
        scenario,
        time_member,
        fiscal_year,
        period,
        month_start,
        stored_view,
        account,
        is_balance_account,
        flow,
        origin,
        ic,
        ud1,
        ud2,
        ud3,
        ud4,
        ud5,
        ud6,
        ud7,
        ud8,
        stored_amount,
        case when stored_view = 'YTD' then stored_amount end as ytd_amount,
        cast({{ onestream_ytd_to_periodic(
            'stored_amount', 'stored_view', intersection, 'month_start', 'ytd_restart_year') }}
            as decimal(38, 9)) as periodic_amount,
        source_file,
        cast(erpml_extracted_at as timestamp) as known_at,
        erpml_batch_id,
        erpml_extracted_at
    from periodic
)

select * from final
