{#-
    NetSuite (NetSuite2.com) decoding.

    netsuite_tf_to_bool(column): 'T' -> true, 'F' -> false, NULL -> NULL.
    netsuite_date(column): a date-only field (`trandate`, `duedate`, `startdate`, ...) landed as
        a timestamp at midnight, to a date.
    netsuite_known_at(column): a last-modified timestamp, as a timestamp.
    netsuite_status_key(type_column, status_column): the key of the status-code seed
        (`seeds/netsuite/netsuite_status_codes.csv`): upper-cased type, ':', status letter
        (`CustInvc`, `B` -> `CUSTINVC:B` -> "Invoice : Paid In Full"); models fall back to the
        upper-cased `abbrevtype` (`BILLPMT:Y`) when the type has no entry.

    Bad input rule: a flag other than 'T'/'F' fails the query reading it with
    "NetSuite T/F flag is unknown: <model>.<column> = <value>". A type:status pair missing from
    the seed leaves `status` NULL, which the not_null test on `stg_netsuite__transaction.status`
    reports (warn-free: the build fails, naming the model and column).
-#}
{% macro netsuite_tf_to_bool(column) -%}
    case
        when {{ column }} is null then null
        when {{ column }} = 'T' then true
        when {{ column }} = 'F' then false
        else {{ erpml.erpml_raise(
            "'NetSuite T/F flag is unknown: " ~ erpml.erpml_where(column) ~ " = ' || "
            ~ column, 'boolean') }}
    end
{%- endmacro %}

{% macro netsuite_date(column) -%}
    cast({{ column }} as date)
{%- endmacro %}

{% macro netsuite_known_at(column) -%}
    cast({{ column }} as timestamp)
{%- endmacro %}

{% macro netsuite_status_key(type_column, status_column) -%}
    upper({{ type_column }}) || ':' || {{ status_column }}
{%- endmacro %}
