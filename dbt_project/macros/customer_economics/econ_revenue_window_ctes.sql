{#- Revenue windows: each customer's order days summed over its lifetime and over the trailing
    12-month windows of reporting_window (econ_window_sum).
    Produces day_facts: customer_id, first_order_date, last_order_date, revenue_lifetime,
    revenue_t12m, revenue_prior_t12m, revenue_third_t12m, revenue_costed_t12m, revenue_volume_t12m,
    revenue_volume_costed_t12m, costed_gross_margin_t12m, costed_gross_margin_prior_t12m,
    line_count_t12m, line_count_prior_t12m, order_count_t12m, order_count_lifetime. -#}
{% macro econ_revenue_window_ctes(cut) -%}
    day_facts as (

        -- Days are already cut at the reporting date. Margin sums skip days without a costed line.
        select
            customer_days.customer_id,
            min(case when customer_days.order_count > 0 then customer_days.order_date end)
                as first_order_date,
            max(case when customer_days.order_count > 0 then customer_days.order_date end)
                as last_order_date,
            sum(customer_days.revenue) as revenue_lifetime,
            {{ econ_window_sum('customer_days.revenue', 't12m') }} as revenue_t12m,
            {{ econ_window_sum('customer_days.revenue', 'prior_t12m') }} as revenue_prior_t12m,
            {{ econ_window_sum('customer_days.revenue', 'third_t12m') }} as revenue_third_t12m,
            {{ econ_window_sum('customer_days.revenue_costed', 't12m') }} as revenue_costed_t12m,
            {{ econ_window_sum('customer_days.revenue_volume', 't12m') }} as revenue_volume_t12m,
            {{ econ_window_sum('customer_days.revenue_volume_costed', 't12m') }}
                as revenue_volume_costed_t12m,
            {{ econ_window_sum('customer_days.gross_margin', 't12m', zero_when_none=false) }}
                as costed_gross_margin_t12m,
            {{ econ_window_sum('customer_days.gross_margin', 'prior_t12m', zero_when_none=false) }}
                as costed_gross_margin_prior_t12m,
            {{ econ_window_sum('customer_days.line_count', 't12m') }} as line_count_t12m,
            {{ econ_window_sum('customer_days.line_count', 'prior_t12m') }} as line_count_prior_t12m,
            {{ econ_window_sum('customer_days.order_count', 't12m') }} as order_count_t12m,
            sum(customer_days.order_count) as order_count_lifetime

        from customer_days
        cross join reporting_window
        {% if cut %}where customer_days.order_date <= reporting_window.reporting_date{% endif %}
        group by customer_days.customer_id

    )
{%- endmacro %}
