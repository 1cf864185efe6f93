{#-
    dim_vendor: one row per vendor and scope of JDE, Vista and NetSuite.
    vendor_key = erpml_key(source_system, scope_id, vendor_id) where the scope is
    - JDE: '00000' (global): address numbers are global and the supplier master by company
      (F0401) is not landed; rows: F0101 search type 'V' and any address number of an F0411
      voucher not among them;
    - Vista: the vendor group (bAPVM.VendorGroup);
    - NetSuite: the vendor's subsidiary.
-#}
with jde_book as (
    select * from {{ ref('stg_jde__f0101') }}
),

jde_numbers as (
    select address_number from jde_book where search_type = 'V'
    union
    select supplier_number from {{ ref('stg_jde__f0411') }}
),

jde as (
    select
        {{ erpml.erpml_key('jde', "'00000'", 'n.address_number') }} as vendor_key,
        'jde' as source_system,
        'global' as scope_type,
        '00000' as scope_id,
        cast(n.address_number as varchar) as vendor_id,
        b.name as vendor_name,
        b.category_code_01_description as vendor_category,
        cast(null as varchar) as payment_terms,
        cast(null as varchar) as currency_code,
        cast(null as boolean) as is_active,
        b.effective_from as vendor_since,
        b.known_at
    from jde_numbers as n
    left join jde_book as b on b.address_number = n.address_number
),

vista_group_currency as (
    select
        vendor_group,
        case
            when count(distinct coalesce(trim(ud_currency), '{{ var("reporting_currency") }}')) = 1
                then min(coalesce(trim(ud_currency), '{{ var("reporting_currency") }}'))
        end as currency_code
    from {{ ref('stg_vista__bhqco') }}
    group by vendor_group
),

vista as (
    select
        {{ erpml.erpml_key('vista', 'v.vendor_group', ['v.vendor']) }} as vendor_key,
        'vista' as source_system,
        'vendor_group' as scope_type,
        cast(v.vendor_group as varchar) as scope_id,
        cast(v.vendor as varchar) as vendor_id,
        trim(v.name) as vendor_name,
        nullif(trim(v.ud_trade), '') as vendor_category,
        nullif(trim(v.pay_terms), '') as payment_terms,
        g.currency_code,
        v.is_active,
        cast(null as date) as vendor_since,
        cast(null as timestamp) as known_at
    from {{ ref('stg_vista__bapvm') }} as v
    left join vista_group_currency as g on g.vendor_group = v.vendor_group
),

netsuite as (
    select
        {{ erpml.erpml_key('netsuite', 'v.subsidiary_id', ['v.vendor_id']) }} as vendor_key,
        'netsuite' as source_system,
        'company' as scope_type,
        cast(v.subsidiary_id as varchar) as scope_id,
        cast(v.vendor_id as varchar) as vendor_id,
        coalesce(v.companyname, v.altname, v.entityid) as vendor_name,
        cast(v.category_id as varchar) as vendor_category,
        t.name as payment_terms,
        cur.symbol as currency_code,
        not v.is_inactive as is_active,
        cast(v.datecreated as date) as vendor_since,
        v.known_at
    from {{ ref('stg_netsuite__vendor') }} as v
    left join {{ ref('stg_netsuite__currency') }} as cur on cur.currency_id = v.currency_id
    left join {{ ref('stg_netsuite__term') }} as t on t.term_id = v.terms_id
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

final as (
    select
        cast(vendor_key as varchar) as vendor_key,
        cast(source_system as varchar) as source_system,
        cast(scope_type as varchar) as scope_type,
        cast(scope_id as varchar) as scope_id,
        cast(case
            when scope_type = 'company'
                then {{ erpml.erpml_key_parts(['source_system', 'scope_id']) }}
        end as varchar) as company_key,
        cast(vendor_id as varchar) as vendor_id,
        cast(vendor_name as varchar) as vendor_name,
        cast(vendor_category as varchar) as vendor_category,
        cast(payment_terms as varchar) as payment_terms,
        cast(currency_code as varchar) as currency_code,
        cast(is_active as boolean) as is_active,
        cast(vendor_since as date) as vendor_since,
        cast(known_at as timestamp) as known_at
    from unioned
)

select * from final
