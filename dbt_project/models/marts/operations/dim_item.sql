{#-
    dim_item: one row per item of JDE (F4101 item master, with its F4102 branch plants) and
    NetSuite (`item`). Items are global in both ERPs, so the key's company part is JDE's
    all-company '00000' and NULL for NetSuite (no all-subsidiary id):
    item_key = erpml_key('jde', '00000', [IMITM]) / erpml_key('netsuite', NULL, [item.id]).
-#}
with jde_branches as (
    select
        item_number,
        count(*) as branch_plant_count,
        max(known_at) as known_at
    from {{ ref('stg_jde__f4102') }}
    group by item_number
),

jde as (
    select
        {{ erpml.erpml_key('jde', "'00000'", ['items.item_number']) }} as item_key,
        'jde' as source_system,
        cast(items.item_number as varchar) as item_id,
        items.item_code as item_number,
        items.item_description,
        items.stocking_type as item_type,
        items.primary_unit_of_measure as unit_of_measure,
        items.sales_category_code_1 as item_category,
        items.sales_category_code_1_description as item_category_description,
        cast(null as boolean) as is_inactive,
        cast(coalesce(jde_branches.branch_plant_count, 0) as integer) as branch_plant_count,
        items.known_at,
        jde_branches.known_at as branch_plants_known_at
    from {{ ref('stg_jde__f4101') }} as items
    left join jde_branches on jde_branches.item_number = items.item_number
),

netsuite as (
    select
        {{ erpml.erpml_key('netsuite', 'cast(null as varchar)', ['items.item_id']) }} as item_key,
        'netsuite' as source_system,
        cast(items.item_id as varchar) as item_id,
        trim(items.itemid) as item_number,
        trim(coalesce(items.displayname, items.description, items.itemid)) as item_description,
        trim(items.itemtype) as item_type,
        cast(null as varchar) as unit_of_measure,
        cast(items.class_id as varchar) as item_category,
        trim(classes.name) as item_category_description,
        items.is_inactive,
        cast(null as integer) as branch_plant_count,
        items.known_at,
        cast(null as timestamp) as branch_plants_known_at
    from {{ ref('stg_netsuite__item') }} as items
    left join {{ ref('stg_netsuite__classification') }} as classes
        on classes.classification_id = items.class_id
),

unioned as (
    select * from jde
    union all
    select * from netsuite
),

final as (
    select
        item_key,
        source_system,
        item_id,
        item_number,
        item_description,
        item_type,
        unit_of_measure,
        item_category,
        item_category_description,
        is_inactive,
        branch_plant_count,
        cast(known_at as timestamp) as known_at,
        cast(branch_plants_known_at as timestamp) as branch_plants_known_at
    from unioned
)

select * from final
