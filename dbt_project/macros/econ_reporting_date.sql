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

{#- The month-end on or before the reporting date `months_back` months earlier, as an aggregate like
    econ_reporting_date: month-level facts cut there hold nothing from after it. The backtest's
    date. -#}
{% macro econ_earlier_reporting_date(months_back, order_date='order_date') -%}
    cast({{ dbt.dateadd('day', -1, dbt.date_trunc('month', dbt.dateadd('month', -months_back,
        dbt.dateadd('day', 1, econ_reporting_date(order_date))))) }} as date)
{%- endmacro %}

{#- The quarter-end `quarters_back` quarters before the last quarter-end on or before the reporting
    date, as an aggregate like econ_reporting_date (0: that last quarter-end itself, the reporting
    date when it is one). The quarter-end history's dates. -#}
{% macro econ_quarter_end_date(quarters_back, order_date='order_date') -%}
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', -3 * quarters_back, dbt.date_trunc('quarter',
        dbt.dateadd('day', 1, econ_reporting_date(order_date))))) }} as date)
{%- endmacro %}
