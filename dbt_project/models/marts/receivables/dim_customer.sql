{#-
    dim_customer: one row per customer and scope of JDE, Vista and NetSuite.
    customer_key = erpml_key(source_system, scope_id, customer_id) where the scope is
    - JDE: the company of the customer's F03012 row (address numbers are global, the customer
      master by company is F03012); an address number with no F03012 row (an F0101 customer, or
      one invoiced in a company where it has no F03012 row) gets one row under '00000';
    - Vista: the customer group (bARCM.CustGroup, shared by the companies of bHQCO.CustGroup);
    - NetSuite: the customer's subsidiary.
-#}
with jde_book as (
    select * from {{ ref('stg_jde__f0101') }}
),

jde_customer_companies as (
    select * from {{ ref('stg_jde__f03012') }}
),

jde_global as (
    select address_number from jde_book
    where search_type = 'C'
        and address_number not in (select address_number from jde_customer_companies)
    union
    select i.customer_number from {{ ref('stg_jde__f03b11') }} as i
    where not exists (
        select 1 from jde_customer_companies as c
        where c.address_number = i.customer_number and c.company_code = i.company_code
    )
),

jde_scoped as (
    select
        c.customer_key,
        'company' as scope_type,
        c.company_code as scope_id,
        c.address_number,
        c.credit_limit,
        c.currency_code,
        c.payment_terms,
        c.date_account_opened,
        c.known_at
    from jde_customer_companies as c
    union all
    select
        {{ erpml.erpml_key('jde', "'00000'", 'g.address_number') }},
        'global',
        '00000',
        g.address_number,
        cast(null as numeric(38, 6)),
        cast(null as varchar),
        cast(null as varchar),
        cast(null as date),
        cast(null as timestamp)
    from jde_global as g
),

jde as (
    select
        s.customer_key,
        'jde' as source_system,
        s.scope_type,
        s.scope_id,
        cast(s.address_number as varchar) as customer_id,
        b.name as customer_name,
        b.category_code_01_description as segment,
        b.category_code_02_description as category,
        cast(s.credit_limit as numeric(38, 6)) as credit_limit,
        s.currency_code,
        s.payment_terms,
        coalesce(s.date_account_opened, b.effective_from) as customer_since,
        case
            when s.known_at is null then b.known_at
            when b.known_at is null then s.known_at
            else greatest(s.known_at, b.known_at)
        end as known_at
    from jde_scoped as s
    left join jde_book as b on b.address_number = s.address_number
),

vista_group_currency as (
    select
        customer_group,
        case
            when count(distinct coalesce(trim(ud_currency), '{{ var("reporting_currency") }}')) = 1
                then min(coalesce(trim(ud_currency), '{{ var("reporting_currency") }}'))
        end as currency_code
    from {{ ref('stg_vista__bhqco') }}
    group by customer_group
),

vista as (
    select
        {{ erpml.erpml_key('vista', 'c.customer_group', ['c.customer']) }} as customer_key,
        'vista' as source_system,
        'customer_group' as scope_type,
        cast(c.customer_group as varchar) as scope_id,
        cast(c.customer as varchar) as customer_id,
        trim(c.name) as customer_name,
        nullif(trim(c.ud_segment), '') as segment,
        nullif(trim(c.ud_category), '') as category,
        cast(c.credit_limit as numeric(38, 6)) as credit_limit,
        g.currency_code,
        nullif(trim(c.pay_terms), '') as payment_terms,
        c.ud_cust_since as customer_since,
        cast(c.ud_cust_since as timestamp) as known_at
    from {{ ref('stg_vista__barcm') }} as c
    left join vista_group_currency as g on g.customer_group = c.customer_group
),

netsuite as (
    select
        {{ erpml.erpml_key('netsuite', 'c.subsidiary_id', ['c.customer_id']) }} as customer_key,
        'netsuite' as source_system,
        'company' as scope_type,
        cast(c.subsidiary_id as varchar) as scope_id,
        cast(c.customer_id as varchar) as customer_id,
        coalesce(c.companyname, c.altname, c.entityid) as customer_name,
        c.custentity_erpml_segment as segment,
        c.custentity_erpml_category as category,
        cast(c.creditlimit as numeric(38, 6)) as credit_limit,
        cur.symbol as currency_code,
        t.name as payment_terms,
        cast(c.datecreated as date) as customer_since,
        c.known_at
    from {{ ref('stg_netsuite__customer') }} as c
    left join {{ ref('stg_netsuite__currency') }} as cur on cur.currency_id = c.currency_id
    left join {{ ref('stg_netsuite__term') }} as t on t.term_id = c.terms_id
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

final as (
    select
        cast(customer_key as varchar) as customer_key,
        cast(source_system as varchar) as source_system,
        cast(scope_type as varchar) as scope_type,
        cast(scope_id as varchar) as scope_id,
        cast(case
            when scope_type = 'company'
                then {{ erpml.erpml_key_parts(['source_system', 'scope_id']) }}
        end as varchar) as company_key,
        cast(customer_id as varchar) as customer_id,
        cast(customer_name as varchar) as customer_name,
        cast(segment as varchar) as segment,
        cast(category as varchar) as category,
        cast(credit_limit as numeric(38, 6)) as credit_limit,
        cast(currency_code as varchar) as currency_code,
        cast(payment_terms as varchar) as payment_terms,
        cast(customer_since as date) as customer_since,
        cast(known_at as timestamp) as known_at
    from unioned
)

select * from final
