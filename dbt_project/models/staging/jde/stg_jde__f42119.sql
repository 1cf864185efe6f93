{#- Sales order history (closed and cancelled lines); same layout and decoding as F4211. -#}
{{ erpml.jde_sales_order_lines(source('jde', 'F42119')) }}
