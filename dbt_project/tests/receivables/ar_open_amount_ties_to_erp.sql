{#- The open amount derived from applications equals the open amount the ERP stores
    (JDE RPAAP, Vista AmountDue, NetSuite amountunpaid). -#}
select invoice_key, source_system, document_number, open_amount, erp_open_amount
from {{ ref('fct_ar_invoice') }}
where erp_open_amount is null or open_amount <> erp_open_amount
