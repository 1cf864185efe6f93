{#- AP: an item is paid exactly when its open amount is zero, then it has a paid date;
    open amounts lie between zero and gross (same sign as gross). -#}
select ap_invoice_key, source_system, status, gross_amount, open_amount, paid_date
from {{ ref('fct_ap_invoice') }}
where (status = 'paid') <> (open_amount = 0)
    or (status = 'paid') <> (paid_date is not null)
    or (gross_amount >= 0 and (open_amount < 0 or open_amount > gross_amount))
    or (gross_amount < 0 and (open_amount > 0 or open_amount < gross_amount))
