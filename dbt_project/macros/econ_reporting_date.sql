{#- The reporting date, as an aggregate over order lines: the `reporting_date` var when set, else
    the latest order date, so a demo or a backfilled export reports on its own last day. The var's
    literal is wrapped in an aggregate too, so `select {{ econ_reporting_date() }} from lines`
    returns one row either way. -#}
{% macro econ_reporting_date(order_date='order_date') -%}
    {%- if var('reporting_date') -%}
        max(cast('{{ var("reporting_date") }}' as date))
    {%- else -%}
        max({{ order_date }})
    {%- endif -%}
{%- endmacro %}
