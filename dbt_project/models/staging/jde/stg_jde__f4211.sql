{#- Open sales order lines; same layout and decoding as F42119 (history). -#}
{{ erpml.jde_sales_order_lines(source('jde', 'F4211')) }}
