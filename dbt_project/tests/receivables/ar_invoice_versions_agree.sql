{#- fct_ar_invoice v1 and v2 hold the same items with the same values in their shared and
    renamed columns (v1.invoice_number = v2.document_number, v1.days_late = v2.days_late). -#}
select
    coalesce(v1.invoice_key, v2.invoice_key) as invoice_key,
    v1.invoice_number,
    v2.document_number,
    v1.days_late as v1_days_late,
    v2.days_late as v2_days_late
from {{ ref('fct_ar_invoice', v=1) }} as v1
full outer join {{ ref('fct_ar_invoice', v=2) }} as v2 on v2.invoice_key = v1.invoice_key
where v1.invoice_key is null
    or v2.invoice_key is null
    or v1.invoice_number <> v2.document_number
    or coalesce(v1.days_late, -999999) <> coalesce(v2.days_late, -999999)
    or v1.open_amount <> v2.open_amount
    or v1.status <> v2.status
    or coalesce(v1.paid_date, v1.invoice_date) <> coalesce(v2.paid_date, v2.invoice_date)
