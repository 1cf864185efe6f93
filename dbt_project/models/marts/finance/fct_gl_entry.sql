{#-
    fct_gl_entry: one row per posted journal line of JDE (F0911, AA ledger, GLPOST = 'P'), Vista
    (bGLDT) and NetSuite (transactionaccountingline with posting = 'T' in the primary book).
    Incremental by landing batch (macros/core/erpml_incremental.sql): per source table only rows
    landed after the fact's watermark are merged by gl_entry_key, and rows deleted at the source
    are removed by the pre-hooks. JDE unposted lines (GLPOST blank) are left out: they join when a
    later extraction lands them posted (posting changes GLUPMJ, so the row is re-landed), and an
    unposted batch deleted at the source never reached the fact.

    Currencies: amount_company is in the company's currency (JDE AA, Vista, NetSuite base
    amount); amount_transaction in the document's currency (JDE: the CA ledger line when GLCRCD is
    not the company currency, NULL if there is none; NetSuite transactionline.foreignamount;
    Vista: the company currency); amount_reporting = amount_company x reporting_rate, rounded to
    the reporting currency's cents. A company without a rate fails naming the currency.
-#}
{{ config(
    materialized='incremental',
    meta={'erpml_batch_column': '_erpml_batch_id'},
    unique_key='gl_entry_key',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    pre_hook=[
        "{{ erpml.erpml_delete_tombstones('gl_entry_key', source('jde', 'F0911'), 'F0911', erpml.finance_jde_f0911_key('source')) }}",
        "{{ erpml.erpml_delete_tombstones('gl_entry_key', source('vista', 'bGLDT'), 'bGLDT', erpml.finance_vista_bgldt_key('source.\"GLCo\"', erpml.vista_month('source.\"Mth\"'), 'source.\"GLTrans\"')) }}",
        "{{ erpml.erpml_delete_tombstones('gl_entry_key', erpml.finance_netsuite_tal_landed(), 'transactionaccountingline', erpml.finance_netsuite_tal_key('source.\"_erpml_line_subsidiary\"', 'source.\"transaction\"', 'source.\"transactionline\"', 'source.\"accountingbook\"')) }}",
    ],
) }}
-- depends_on: {{ source('jde', 'F0911') }}
-- depends_on: {{ source('vista', 'bGLDT') }}
-- depends_on: {{ source('netsuite', 'transactionaccountingline') }}
-- depends_on: {{ source('netsuite', 'transactionline') }}
{%- set reporting = var('reporting_currency') %}

with jde_lines as (
    select * from {{ ref('stg_jde__f0911') }}
),

jde_foreign as (
    {# CA ledger: the same line in the transaction currency (none in the fixture) #}
    select * from jde_lines where ledger_type = 'CA'
),

jde as (
    select
        e.gl_entry_key,
        'jde' as source_system,
        'F0911' as source_table,
        e.company_code as company_id,
        e.account_id,
        e.fiscal_year,
        e.fiscal_period as period_number,
        cast(null as integer) as accounting_period_id,
        'standard' as rate_type,
        e.document_type,
        cast(e.document_number as varchar) as document_number,
        cast(e.journal_line_number as bigint) as line_number,
        e.gl_date,
        e.explanation as description,
        coalesce(nullif(e.transaction_currency_code, ''), e.currency_code) as transaction_currency_code,
        case
            when coalesce(nullif(e.transaction_currency_code, ''), e.currency_code) = e.currency_code
                then e.amount
            else ca.amount
        end as amount_transaction,
        e.currency_code as company_currency_code,
        e.currency_code as company_currency_ref,
        e.amount as amount_company,
        cast(e.known_at as timestamp) as known_at,
        cast(e._erpml_batch_id as bigint) as _erpml_batch_id
    from jde_lines as e
    left join jde_foreign as ca
        on ca.document_company = e.document_company
        and ca.document_type = e.document_type
        and ca.document_number = e.document_number
        and ca.gl_date = e.gl_date
        and ca.journal_line_number = e.journal_line_number
        and coalesce(ca.line_extension, '') = coalesce(e.line_extension, '')
    where e.ledger_type = 'AA'
        and e.is_posted
        and {{ erpml.erpml_after_watermark('F0911', 'e._erpml_batch_id') }}
),

vista_companies as (
    select
        company,
        coalesce(trim(ud_currency), '{{ reporting }}') as currency_code
    from {{ ref('stg_vista__bhqco') }}
),

vista as (
    select
        {{ erpml.finance_vista_bgldt_key('g.company', 'g.month', 'g.gl_trans') }} as gl_entry_key,
        'vista' as source_system,
        'bGLDT' as source_table,
        cast(g.company as varchar) as company_id,
        g.gl_account as account_id,
        cast(extract(year from g.month) as integer) as fiscal_year,
        cast(extract(month from g.month) as integer) as period_number,
        cast(null as integer) as accounting_period_id,
        'standard' as rate_type,
        trim(g.jrnl) as document_type,
        trim(cast(g.gl_ref as varchar)) as document_number,
        cast(g.gl_trans as bigint) as line_number,
        coalesce(g.act_date, g.month) as gl_date,
        trim(g.description) as description,
        c.currency_code as transaction_currency_code,
        cast(g.amount as numeric(38, 6)) as amount_transaction,
        c.currency_code as company_currency_code,
        coalesce(c.currency_code, 'company ' || cast(g.company as varchar) || ' not in bHQCO')
            as company_currency_ref,
        g.amount as amount_company,
        cast(g.known_at as timestamp) as known_at,
        cast(g.erpml_batch_id as bigint) as _erpml_batch_id
    from {{ ref('stg_vista__bgldt') }} as g
    left join vista_companies as c on c.company = g.company
    where {{ erpml.erpml_after_watermark('bGLDT', 'g.erpml_batch_id') }}
),

ns_currencies as (
    select currency_id, trim(symbol) as currency_code from {{ ref('stg_netsuite__currency') }}
),

ns_periods as (
    select company_id, fiscal_year, period_number, cast(source_period_id as integer) as period_id
    from {{ ref('dim_fiscal_period') }}
    where source_system = 'netsuite'
),

{%- if is_incremental() %}
{%- set ns_watermark = erpml.erpml_watermark('transactionaccountingline') %}

ns_touched as (
    {#- the transactions with a landed row (new, changed or deleted) newer than the watermark in
        any of the three tables; read from the landing, filtered in the scans. They narrow the
        join below before its exact condition (greatest of the three batches) is applied. -#}
    select "transaction" as transaction_id
    from {{ source('netsuite', 'transactionaccountingline') }}
    where "_erpml_batch_id" > {{ ns_watermark }}
    union
    select "transaction" from {{ source('netsuite', 'transactionline') }}
    where "_erpml_batch_id" > {{ ns_watermark }}
    union
    select "id" from {{ source('netsuite', 'transaction') }}
    where "_erpml_batch_id" > {{ ns_watermark }}
),
{%- endif %}

netsuite as (
    select
        {{ erpml.finance_netsuite_tal_key('l.subsidiary_id', 'a.transaction_id',
            'a.transaction_line_id', 'a.accounting_book_id') }} as gl_entry_key,
        'netsuite' as source_system,
        'transactionaccountingline' as source_table,
        cast(l.subsidiary_id as varchar) as company_id,
        cast(a.account_id as varchar) as account_id,
        p.fiscal_year,
        p.period_number,
        cast(t.posting_period_id as integer) as accounting_period_id,
        lower(acct.generalrate) as rate_type,
        t.transaction_type as document_type,
        t.tranid as document_number,
        cast(a.transaction_line_id as bigint) as line_number,
        t.trandate as gl_date,
        l.memo as description,
        tc.currency_code as transaction_currency_code,
        l.foreignamount as amount_transaction,
        sc.currency_code as company_currency_code,
        coalesce(sc.currency_code, 'currency id ' || coalesce(cast(s.currency_id as varchar), '<none>'))
            as company_currency_ref,
        a.amount as amount_company,
        cast(l.known_at as timestamp) as known_at,
        cast(greatest(a.erpml_batch_id, l.erpml_batch_id, t.erpml_batch_id) as bigint) as _erpml_batch_id
    from {{ ref('stg_netsuite__transactionaccountingline') }} as a
    inner join {{ ref('stg_netsuite__accountingbook') }} as b
        on b.accountingbook_id = a.accounting_book_id and b.is_primary
    inner join {{ ref('stg_netsuite__transactionline') }} as l
        on l.transaction_id = a.transaction_id and l.transaction_line_id = a.transaction_line_id
    inner join {{ ref('stg_netsuite__transaction') }} as t on t.transaction_id = a.transaction_id
    left join {{ ref('stg_netsuite__subsidiary') }} as s on s.subsidiary_id = l.subsidiary_id
    left join ns_currencies as sc on sc.currency_id = s.currency_id
    left join ns_currencies as tc on tc.currency_id = t.currency_id
    left join {{ ref('stg_netsuite__account') }} as acct on acct.account_id = a.account_id
    left join ns_periods as p
        on p.company_id = cast(l.subsidiary_id as varchar) and p.period_id = t.posting_period_id
    where a.is_posting
        and {{ erpml.erpml_after_watermark('transactionaccountingline',
            'greatest(a.erpml_batch_id, l.erpml_batch_id, t.erpml_batch_id)') }}
    {%- if is_incremental() %}
        {#- on each of the three joined tables, so that each scan is filtered by the semi-join #}
        and a.transaction_id in (select transaction_id from ns_touched)
        and l.transaction_id in (select transaction_id from ns_touched)
        and t.transaction_id in (select transaction_id from ns_touched)
    {%- endif %}
),

unioned as (
    select * from jde
    union all select * from vista
    union all select * from netsuite
),

rates as (
    select * from {{ ref('int_finance__reporting_rates') }}
),

rated as (
    select
        u.*,
        case
            when u.company_currency_code = '{{ reporting }}' then cast(1 as numeric(38, 12))
            else coalesce(by_period.reporting_rate, by_date.reporting_rate)
        end as rate,
        case
            when u.company_currency_code = '{{ reporting }}' then 'identity'
            else coalesce(by_period.rate_source, by_date.rate_source)
        end as rate_source,
        case
            when u.company_currency_code = '{{ reporting }}' then u.gl_date
            else coalesce(by_period.rate_date, by_date.rate_date)
        end as rate_date
    from unioned as u
    left join rates as by_period
        on by_period.accounting_period_id is not null
        and by_period.source_system = u.source_system
        and by_period.company_id = u.company_id
        and by_period.currency_code = u.company_currency_code
        and by_period.rate_type = u.rate_type
        and by_period.accounting_period_id = u.accounting_period_id
    left join rates as by_date
        on by_date.accounting_period_id is null
        and by_date.source_system = u.source_system
        and by_date.company_id = u.company_id
        and by_date.currency_code = u.company_currency_code
        and by_date.rate_type = u.rate_type
        and u.gl_date >= by_date.effective_from
        and (by_date.effective_until is null or u.gl_date < by_date.effective_until)
),

final as (
    select
        gl_entry_key,
        {{ erpml.erpml_key_parts(['source_system', 'company_id']) }} as company_key,
        {{ erpml.erpml_key_parts(['source_system', 'company_id', 'account_id']) }} as gl_account_key,
        {{ erpml.erpml_key_parts(['source_system', 'company_id', 'fiscal_year', 'period_number']) }}
            as fiscal_period_key,
        source_system,
        source_table,
        company_id,
        account_id,
        fiscal_year,
        period_number,
        document_type,
        document_number,
        line_number,
        gl_date,
        description,
        transaction_currency_code,
        cast(amount_transaction as numeric(38, 6)) as amount_transaction,
        case
            when company_currency_code is not null then company_currency_code
            else {{ erpml.finance_raise(
                "'unknown currency code: " ~ this.identifier ~ ".company_currency_code = ' || "
                ~ "company_currency_ref || ' (' || source_system || ' company ' || company_id || ')'",
                'varchar') }}
        end as company_currency_code,
        cast(amount_company as numeric(38, 6)) as amount_company,
        '{{ reporting }}' as reporting_currency_code,
        case
            when rate is not null
                then cast(round(amount_company * rate, {{ erpml.finance_reporting_decimals() }}) as numeric(38, 6))
            else {{ erpml.finance_raise(
                "'no exchange rate to " ~ reporting ~ ": " ~ this.identifier
                ~ ".company_currency_code = ' || company_currency_ref || ' on ' || cast(gl_date as varchar)"
                ~ " || ' (' || source_system || ' company ' || company_id || ')'",
                'numeric(38, 6)') }}
        end as amount_reporting,
        rate as reporting_rate,
        rate_source as reporting_rate_source,
        rate_date as reporting_rate_date,
        known_at,
        _erpml_batch_id
    from rated
)

select * from final
