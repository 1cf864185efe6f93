{#-
    dim_gl_account: every GL account of JDE (F0901), Vista (bGLAC) and NetSuite (account, one row
    per subsidiary the account is available to). The category comes from what the source
    stores, through seeds: JDE category code 21 (GMR021, the group account code) -> group chart;
    Vista AcctType and NetSuite accttype -> gl_account_type_categories. An account without a
    category fails the build naming the account and the value.
-#}
with group_accounts as (
    select * from {{ ref('gl_group_accounts') }}
),

type_categories as (
    select * from {{ ref('gl_account_type_categories') }}
),

jde as (
    select
        'jde' as source_system,
        company_code as company_id,
        account_id,
        account_code,
        account_name,
        category_code_21 as source_account_type,
        category_code_21 as group_account,
        cast(null as varchar) as mapped_category,
        cast(null as boolean) as source_is_intercompany,
        cast(null as varchar) as intercompany_partner_id,
        cast(null as varchar) as translation_rate_type,
        known_at
    from {{ ref('stg_jde__f0901') }}
),

vista as (
    select
        'vista' as source_system,
        cast(a.company as varchar) as company_id,
        a.gl_account as account_id,
        a.gl_account as account_code,
        trim(a.description) as account_name,
        trim(a.acct_type) as source_account_type,
        a.group_account,
        t.account_category as mapped_category,
        cast(null as boolean) as source_is_intercompany,
        {# Vista charts keep one intercompany account per partner company; its last segment
            (Part3) is the partner's GL company ('12-100-05' -> 5). #}
        case
            when g.is_intercompany and trim(a.part3) <> ''
                then cast(cast(trim(a.part3) as integer) as varchar)
        end as intercompany_partner_id,
        cast(null as varchar) as translation_rate_type,
        cast(null as timestamp) as known_at
    from {{ ref('stg_vista__bglac') }} as a
    left join type_categories as t
        on t.source_system = 'vista' and t.account_type = trim(a.acct_type)
    left join group_accounts as g on g.group_account = a.group_account
),

netsuite_subsidiaries as (
    select subsidiary_id, parent_id
    from {{ ref('stg_netsuite__subsidiary') }}
    where not coalesce(is_elimination, false)
),

netsuite_accounts as (
    select
        a.*,
        {# `subsidiary` lists ids ('1, 2, 3'); NULL means every subsidiary #}
        ',' || replace(coalesce(a.subsidiary, ''), ' ', '') || ',' as subsidiary_list
    from {{ ref('stg_netsuite__account') }} as a
    where a.accttype not in ('NonPosting', 'Stat')
),

netsuite as (
    select
        'netsuite' as source_system,
        cast(s.subsidiary_id as varchar) as company_id,
        cast(a.account_id as varchar) as account_id,
        trim(a.acctnumber) as account_code,
        trim(a.fullname) as account_name,
        a.accttype as source_account_type,
        m.group_account,
        t.account_category as mapped_category,
        a.is_eliminate as source_is_intercompany,
        cast(null as varchar) as intercompany_partner_id,
        lower(a.generalrate) as translation_rate_type,
        a.known_at
    from netsuite_accounts as a
    inner join netsuite_subsidiaries as s
        on a.subsidiary is null
        or a.subsidiary_list like '%,' || cast(s.subsidiary_id as varchar) || ',%'
        or (coalesce(a.is_includechildren, false)
            and a.subsidiary_list like '%,' || cast(s.parent_id as varchar) || ',%')
    left join {{ ref('netsuite_group_accounts') }} as m on m.acctnumber = trim(a.acctnumber)
    left join type_categories as t
        on t.source_system = 'netsuite' and t.account_type = a.accttype
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

categorised as (
    select
        unioned.*,
        g.group_name,
        g.is_intercompany as group_is_intercompany,
        case
            when unioned.source_system = 'jde' then g.account_category
            else unioned.mapped_category
        end as category
    from unioned
    left join group_accounts as g on g.group_account = unioned.group_account
),

final as (
    select
        {{ erpml.erpml_key_parts(['source_system', 'company_id', 'account_id']) }} as gl_account_key,
        {{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as company_key,
        source_system,
        company_id,
        account_id,
        account_code,
        account_name,
        source_account_type,
        group_account,
        group_name,
        case
            when category is not null then category
            else {{ erpml.finance_raise(
                "'GL account has no category mapping: ' || '" ~ this.identifier
                ~ ".source_account_type = ' || coalesce(source_account_type, '<blank>')"
                ~ " || ' (account ' || source_system || ' ' || company_id || ' ' || account_code || ')'",
                'varchar') }}
        end as account_category,
        category in ('asset', 'liability', 'equity') as is_balance_sheet,
        coalesce(source_is_intercompany, group_is_intercompany, false) as is_intercompany,
        intercompany_partner_id,
        case
            when intercompany_partner_id is not null
                then {{ erpml.erpml_key_parts(['source_system', 'intercompany_partner_id']) }}
        end as intercompany_partner_company_key,
        coalesce(translation_rate_type, 'standard') as translation_rate_type,
        known_at
    from categorised
)

select * from final
