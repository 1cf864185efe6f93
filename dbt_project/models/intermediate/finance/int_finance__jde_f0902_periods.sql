{#-
    JDE F0902 account balances (AA ledger) unpivoted to one row per account, fiscal year and
    period 1..14: the period's net posting (GBANnn) and the balance at its end, GBAPYC (balance
    forward: prior years for balance-sheet accounts, with the prior year's profit and loss on
    the retained-earnings account; 0 for profit and loss) plus GBAN01..GBANnn. The singular test
    assert_gl_balance_equals_jde_f0902 ties fct_gl_balance to it.
-#}
with balances as (
    select *
    from {{ ref('stg_jde__f0902') }}
    where ledger_type = 'AA'
        and fiscal_quarter is null
        and subledger is null
        and subledger_type is null
),

unpivoted as (
    {%- for p in range(1, 15) %}
    select
        account_id,
        company_code,
        fiscal_year,
        currency_code,
        {{ p }} as period_number,
        net_posting_{{ '%02d' % p }} as net_amount,
        balance_forward
        {%- for q in range(1, p + 1) %} + net_posting_{{ '%02d' % q }}{% endfor %} as closing_balance
    from balances
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from unpivoted
)

select * from final
