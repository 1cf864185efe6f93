{#- The tombstone pre-hooks of fct_gl_entry recompute gl_entry_key from the raw landing
    columns (macros/finance/finance_gl.sql); every fact row's key must be found that way among
    the live landing rows of its source table, or a source delete would leave it behind.
    Returns the fact rows whose key the landing-side macro does not reproduce, or whose
    landing row is deleted.

    In a changed build (ERPML_TEST_FROM_BATCH set: the batches landed since the last build,
    whose test passed over every row) only what those batches can break is read: the fact
    rows of those batches against the landing rows of those batches (a fact row carries the
    batch of its landing rows; for NetSuite, also the accounting lines of transactions whose
    header or line those batches changed), and any fact row whose landing row those batches
    deleted. -#}
{%- set from_batch = env_var('ERPML_TEST_FROM_BATCH', '') if execute else '' -%}
{%- set landed_since -%}
    {%- if from_batch %}source."_erpml_batch_id" >= {{ from_batch | int }}{% else %}true{% endif -%}
{%- endset -%}
with landing_keys as (
    select 'F0911' as source_table, {{ erpml.finance_jde_f0911_key('source') }} as gl_entry_key,
        source."_erpml_deleted" as deleted
    from {{ source('jde', 'F0911') }} as source
    where {{ landed_since }}
    union all
    select 'bGLDT', {{ erpml.finance_vista_bgldt_key('source."GLCo"', erpml.vista_month('source."Mth"'), 'source."GLTrans"') }},
        source."_erpml_deleted"
    from {{ source('vista', 'bGLDT') }} as source
    where {{ landed_since }}
    union all
    select 'transactionaccountingline', {{ erpml.finance_netsuite_tal_key(
        'source."_erpml_line_subsidiary"', 'source."transaction"',
        'source."transactionline"', 'source."accountingbook"') }},
        source."_erpml_deleted"
    {%- set netsuite_since -%}
        {{ landed_since }}
        {%- if from_batch %}
        {#- a NetSuite fact row takes the latest batch of its line, header and accounting line #}
        or source."transaction" in (
            select l."transaction" from {{ source('netsuite', 'transactionline') }} as l
            where l."_erpml_batch_id" >= {{ from_batch | int }}
            union all
            select t."id" from {{ source('netsuite', 'transaction') }} as t
            where t."_erpml_batch_id" >= {{ from_batch | int }}
        )
        {%- endif %}
    {%- endset %}
    from {{ erpml.finance_netsuite_tal_landed(netsuite_since) }} as source
)

{%- if from_batch %}
{#- two reads instead of one left join, so that neither reads every fact row's columns: the
    rows of the new batches (a filter the scan applies) and the rows whose key a new batch
    deleted (a join whose few keys the scan filters by) -#}
select f.source_table, f.gl_entry_key, f.company_id, f.document_number, f.line_number
from {{ ref('fct_gl_entry') }} as f
where f."_erpml_batch_id" >= {{ from_batch | int }}
    and not exists (
        select 1 from landing_keys as l
        where l.source_table = f.source_table and l.gl_entry_key = f.gl_entry_key
    )
union all
select f.source_table, f.gl_entry_key, f.company_id, f.document_number, f.line_number
from {{ ref('fct_gl_entry') }} as f
inner join landing_keys as l
    on l.source_table = f.source_table and l.gl_entry_key = f.gl_entry_key
where l.deleted
{%- else %}
select f.source_table, f.gl_entry_key, f.company_id, f.document_number, f.line_number
from {{ ref('fct_gl_entry') }} as f
left join landing_keys as l
    on l.source_table = f.source_table and l.gl_entry_key = f.gl_entry_key
where l.deleted or l.gl_entry_key is null
{%- endif %}
