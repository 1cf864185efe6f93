{#-
    int_receivables__as_of: one row per source system with the date its landed AR/AP state is
    "as of". Open amounts, statuses and days late of open items are measured on this date.

    Default: the latest business or audit date seen in that ERP's receivables and payables
    (invoice, receipt and voucher dates, JDE UPMJ and NetSuite lastmodifieddate), capped at the
    date of the latest extraction of those tables. Vista keeps no audit stamps, so its as-of is
    the latest document or payment date. `--vars '{erpml_as_of_date: 2026-06-30}'` overrides it
    for every source system.

    A table (one row per source system): both fct_ar_invoice and fct_ap_invoice read it, and as a
    view each would scan and decode the dates of every receivable and payable again. JDE's
    latest dates are decoded from the largest landed Julian values (same order), not row by row.
-#}
{{ config(materialized='table') }}
{%- set as_of = var('erpml_as_of_date', none) -%}
with jde_latest as (
    {#- JDE Julian dates (CYYDDD) order as the dates they encode, so the latest of each is
        decoded once from the maximum of the landed values instead of decoding every row of
        the three tables (the staging models read the same rows: not flagged deleted) -#}
    select max("RPDIVJ") as last_julian, max("RPUPMJ") as change_julian,
        max(_erpml_extracted_at) as extracted_at
    from {{ source('jde', 'F03B11') }}
    where not _erpml_deleted
    union all
    select max("RZDMTJ"), max("RZUPMJ"), max(_erpml_extracted_at)
    from {{ source('jde', 'F03B14') }}
    where not _erpml_deleted
    union all
    select max("RPDIVJ"), max("RPUPMJ"), max(_erpml_extracted_at)
    from {{ source('jde', 'F0411') }}
    where not _erpml_deleted
),

activity as (
    select
        'jde' as source_system,
        {{ erpml.jde_julian_to_date('last_julian') }} as last_date,
        {{ erpml.jde_julian_to_date('change_julian') }} as last_change,
        extracted_at
    from jde_latest
    union all
    select 'vista', max(trans_date), cast(null as date), max(erpml_extracted_at)
    from {{ ref('stg_vista__barth') }}
    union all
    select 'vista', max(inv_date), cast(null as date), max(erpml_extracted_at)
    from {{ ref('stg_vista__bapth') }}
    union all
    select 'vista', max(paid_date), cast(null as date), max(erpml_extracted_at)
    from {{ ref('stg_vista__baptd') }}
    union all
    select 'netsuite', max(trandate), max(cast(lastmodifieddate as date)), max(erpml_extracted_at)
    from {{ ref('stg_netsuite__transaction') }}
    where transaction_type in ('CustInvc', 'CustPymt', 'CustCred', 'VendBill', 'VendPymt')
),

final as (
    select
        source_system,
        {%- if as_of %}
        cast('{{ as_of }}' as date) as as_of_date
        {%- else %}
        least(
            greatest(max(last_date), max(last_change)),
            cast(max(extracted_at) as date)
        ) as as_of_date
        {%- endif %}
    from activity
    group by source_system
)

select * from final
