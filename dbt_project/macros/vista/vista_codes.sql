{#-
    Vista codes.

    vista_trim_code(column): blank padding and right-justification removed (`char(20)` GL
        accounts, job and contract masks `' 230015-'`, right-justified items and invoices).
        Empty strings become NULL.
    vista_yn_to_bool(column): 'Y' -> true, 'N' -> false, NULL -> NULL.
    vista_job_status(column): `JobStatus` / `ContractStatus` 0 pending, 1 open, 2 soft_closed,
        3 hard_closed.
    vista_ap_status(column): `bAPTD.Status` 1 open, 2 hold, 3 paid, 4 cleared.
    vista_jc_trans_type(column): `JCTransType` OE original_estimate, CO change_order,
        PE projection, PR payroll, AP accounts_payable, JC cost_adjustment, MO material_order,
        PO purchase_order, SL subcontract, EM equipment, IN inventory, MS material_sales,
        AR receivables.

    Bad input rule: a value outside these lists (other than NULL) fails the query reading it with
    "Vista <code kind> is unknown: <model>.<column> = <value>".
-#}
{% macro vista_trim_code(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}

{% macro _vista_decode(column, kind, pairs) -%}
    case
        when {{ column }} is null then null
        {%- for code, label in pairs %}
        when {{ column }} = {{ code }} then '{{ label }}'
        {%- endfor %}
        else {{ erpml.erpml_raise(
            "'Vista " ~ kind ~ " is unknown: " ~ erpml.erpml_where(column) ~ " = ' || cast("
            ~ column ~ " as varchar)", 'varchar') }}
    end
{%- endmacro %}

{% macro vista_yn_to_bool(column) -%}
    case
        when {{ column }} is null then null
        when {{ column }} = 'Y' then true
        when {{ column }} = 'N' then false
        else {{ erpml.erpml_raise(
            "'Vista Y/N flag is unknown: " ~ erpml.erpml_where(column) ~ " = ' || "
            ~ column, 'boolean') }}
    end
{%- endmacro %}

{% macro vista_job_status(column) -%}
    {{ erpml._vista_decode(column, 'job status',
        [(0, 'pending'), (1, 'open'), (2, 'soft_closed'), (3, 'hard_closed')]) }}
{%- endmacro %}

{% macro vista_ap_status(column) -%}
    {{ erpml._vista_decode(column, 'AP status',
        [(1, 'open'), (2, 'hold'), (3, 'paid'), (4, 'cleared')]) }}
{%- endmacro %}

{% macro vista_jc_trans_type(column) -%}
    {{ erpml._vista_decode(column, 'JC transaction type', [
        ("'OE'", 'original_estimate'), ("'CO'", 'change_order'), ("'PE'", 'projection'),
        ("'PR'", 'payroll'), ("'AP'", 'accounts_payable'), ("'JC'", 'cost_adjustment'),
        ("'MO'", 'material_order'), ("'PO'", 'purchase_order'), ("'SL'", 'subcontract'),
        ("'EM'", 'equipment'), ("'IN'", 'inventory'), ("'MS'", 'material_sales'),
        ("'AR'", 'receivables')]) }}
{%- endmacro %}
