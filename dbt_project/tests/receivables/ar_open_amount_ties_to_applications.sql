{#- Open amount at the as-of date = gross - sum of fct_ar_payment applications, per open item;
    and every application's invoice exists (so the sums cover all applications). -#}
with applied as (
    select invoice_key, sum(applied_amount) as applied_amount
    from {{ ref('fct_ar_payment') }}
    group by invoice_key
)

select
    i.invoice_key,
    i.source_system,
    i.gross_amount,
    i.open_amount,
    coalesce(a.applied_amount, 0) as applied_from_payments
from {{ ref('fct_ar_invoice') }} as i
left join applied as a on a.invoice_key = i.invoice_key
where i.open_amount <> i.gross_amount - coalesce(a.applied_amount, 0)
    or i.applied_amount <> coalesce(a.applied_amount, 0)
