{#-
    dim_company: one row per company of every source ERP, plus the OneStream consolidation
    entities. `company_key` = erpml_key(source_system, company_id); `consolidation_entity` names
    the OneStream entity an ERP company reports into (`JDE_00001`, `VISTA_1`, `NS_2`).
-#}
with jde as (
    select
        'jde' as source_system,
        company_code as company_id,
        company_name,
        currency_code,
        'JDE_' || company_code as consolidation_entity,
        cast(null as varchar) as parent_company_id,
        known_at
    from {{ ref('stg_jde__f0010') }}
    where company_code <> '00000'
),

vista as (
    select
        'vista' as source_system,
        cast(company as varchar) as company_id,
        trim(name) as company_name,
        coalesce(trim(ud_currency), '{{ var("reporting_currency") }}') as currency_code,
        'VISTA_' || cast(company as varchar) as consolidation_entity,
        cast(null as varchar) as parent_company_id,
        cast(null as timestamp) as known_at
    from {{ ref('stg_vista__bhqco') }}
),

netsuite as (
    select
        'netsuite' as source_system,
        cast(s.subsidiary_id as varchar) as company_id,
        trim(s.name) as company_name,
        trim(c.symbol) as currency_code,
        'NS_' || cast(s.subsidiary_id as varchar) as consolidation_entity,
        cast(s.parent_id as varchar) as parent_company_id,
        s.known_at
    from {{ ref('stg_netsuite__subsidiary') }} as s
    left join {{ ref('stg_netsuite__currency') }} as c on c.currency_id = s.currency_id
    where not coalesce(s.is_elimination, false)
),

onestream as (
    select
        'onestream' as source_system,
        entity as company_id,
        min(entity) as company_name,
        cast(null as varchar) as currency_code,
        entity as consolidation_entity,
        cast(null as varchar) as parent_company_id,
        cast(null as timestamp) as known_at
    from {{ ref('stg_onestream__cube_data') }}
    where cons = 'Local'
    group by entity
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
    union all select * from onestream
),

final as (
    select
        {{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as company_key,
        source_system,
        company_id,
        company_name,
        currency_code,
        consolidation_entity,
        case
            when parent_company_id is not null
                then {{ erpml.erpml_key_parts(['source_system', 'parent_company_id']) }}
        end as parent_company_key,
        known_at
    from unioned
)

select * from final
