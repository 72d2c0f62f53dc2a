{#- The sum of `value` over the customer-days in one of the trailing windows of reporting_window
    (econ_reporting_window_ctes), for day_facts: 't12m' (the 12 months to the reporting date),
    'prior_t12m' (the 12 before) or 'third_t12m' (the 12 before those). With `zero_when_none`, days
    outside count as 0 (a window without orders sold nothing); without it, a window with no day that
    has a value is null (no costed line: margin unknown, not zero). -#}
{% macro econ_window_sum(value, window, zero_when_none=true) -%}
    {%- set bounds = {
        't12m': ['reporting_window.t12m_after', none],
        'prior_t12m': ['reporting_window.prior_t12m_after', 'reporting_window.t12m_after'],
        'third_t12m': ['reporting_window.third_t12m_after', 'reporting_window.prior_t12m_after'],
    } -%}
    {%- set after, until = bounds[window] -%}
    sum(case
        when customer_days.order_date > {{ after }}
            {%- if until %} and customer_days.order_date <= {{ until }}{% endif %}
            then {{ value }}
        {%- if zero_when_none %}
        else 0
        {%- endif %}
    end)
{%- endmacro %}
