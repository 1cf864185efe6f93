{#- The category derived from the source's account type (Vista AcctType, NetSuite accttype)
    agrees with the category of the account's group account. Returns disagreeing accounts. -#}
select a.source_system, a.company_id, a.account_code, a.source_account_type,
    a.account_category, g.group_account, g.account_category as group_category
from {{ ref('dim_gl_account') }} as a
inner join {{ ref('gl_group_accounts') }} as g on g.group_account = a.group_account
where a.account_category <> g.account_category
