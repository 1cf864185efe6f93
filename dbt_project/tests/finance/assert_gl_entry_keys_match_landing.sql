{#- The tombstone pre-hooks of fct_gl_entry recompute gl_entry_key from the raw landing
    columns (macros/finance/finance_gl.sql); every fact row's key must be found that way among
    the live landing rows of its source table, or a source delete would leave it behind.
    Returns the fact rows whose key the landing-side macro does not reproduce. -#}
with landing_keys as (
    select 'F0911' as source_table, {{ erpml.finance_jde_f0911_key('source') }} as gl_entry_key
    from {{ source('jde', 'F0911') }} as source
    where not source."_erpml_deleted"
    union all
    select 'bGLDT', {{ erpml.finance_vista_bgldt_key('source."GLCo"', erpml.vista_month('source."Mth"'), 'source."GLTrans"') }}
    from {{ source('vista', 'bGLDT') }} as source
    where not source."_erpml_deleted"
    union all
    select 'transactionaccountingline', {{ erpml.finance_netsuite_tal_key(
        erpml.finance_netsuite_tal_subsidiary('source'), 'source."transaction"',
        'source."transactionline"', 'source."accountingbook"') }}
    from {{ source('netsuite', 'transactionaccountingline') }} as source
    where not source."_erpml_deleted"
)

select f.source_table, f.gl_entry_key, f.company_id, f.document_number, f.line_number
from {{ ref('fct_gl_entry') }} as f
left join landing_keys as l
    on l.source_table = f.source_table and l.gl_entry_key = f.gl_entry_key
where l.gl_entry_key is null
