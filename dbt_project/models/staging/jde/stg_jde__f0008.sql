{#- Fiscal date patterns: one row per pattern and fiscal year, period end dates 1..14. -#}
with source as (
    select * from {{ source('jde', 'F0008') }}
    where not _erpml_deleted
),

renamed as (
    select
        trim("CDDTPN") as fiscal_date_pattern,
        cast("CDCTRY" as integer) * 100 + cast("CDFY" as integer) as fiscal_year,
        {{ erpml.jde_julian_to_date('"CDDFYJ"') }} as fiscal_year_begin_date,
        {%- for p in range(1, 15) %}
        {{ erpml.jde_julian_to_date('"CDD%02dJ"' % p) }} as period_{{ '%02d' % p }}_end_date,
        {%- endfor %}
        {{ erpml.jde_timestamp('"CDUPMJ"', '"CDUPMT"') }} as known_at,
        _erpml_batch_id,
        _erpml_extracted_at
    from source
),

final as (
    select * from renamed
)

select * from final
