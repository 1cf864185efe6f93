{#-
    OneStream views: the cube stores one view (YTD in the fixture application) and derives the
    others.

    onestream_is_balance_account(column): true for accounts whose YTD carries across years
        (Asset, Liability, equity): the account member matches the regular expression in var
        `onestream_balance_accounts` (default: group accounts 1000-3999 and the balance-sheet
        plug `ICPlugBS`). Other accounts (Revenue, Expense, `ICPlugPL`) restart each January.
    onestream_ytd_to_periodic(amount, view, partition_by, order_by, restart_by): the Periodic
        amount of a row. Rule: a row whose stored view is 'YTD' is its YTD minus the YTD of the
        previous month of the same intersection (`partition_by`) within `restart_by` (the year
        for income statement accounts, nothing for balance accounts); the first month has no
        predecessor and is its own periodic amount. Rows stored in another view ('Periodic')
        are kept as stored.
-#}
{% macro onestream_is_balance_account(column) -%}
    {{ erpml.onestream_matches(column,
        var('onestream_balance_accounts', '[123][0-9]{3}|ICPlugBS')) }}
{%- endmacro %}

{% macro onestream_ytd_to_periodic(amount, view, partition_by, order_by, restart_by) -%}
    case
        when {{ view }} = 'YTD' then {{ amount }} - coalesce(lag({{ amount }}) over (
            partition by {{ partition_by | join(', ') }}, {{ restart_by }}
            order by {{ order_by }}
        ), 0)
        else {{ amount }}
    end
{%- endmacro %}
