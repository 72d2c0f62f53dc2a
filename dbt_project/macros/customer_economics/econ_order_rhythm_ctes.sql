{#- Order rhythm: the gaps between a customer's order days (its typical gap, which churn risk is
    read against) and how many of its active months follow another within the repeat window.
    Produces order_gaps, gap_facts (customer_id, order_day_count, median_gap_days), active_months
    and repeat_facts (customer_id, active_month_count, repeat_month_count). -#}
{% macro econ_order_rhythm_ctes(months_back) -%}
    order_gaps as (

        select
            customer_id,
            {{ dbt.datediff(
                'lag(order_date) over (partition by customer_id order by order_date)',
                'order_date',
                'day'
            ) }} as gap_days

        from customer_days
        {% if months_back -%}
        cross join reporting_window
        where customer_days.order_count > 0
            and customer_days.order_date <= reporting_window.reporting_date
        {%- else -%}
        where customer_days.order_count > 0
        {%- endif %}

    ),

    gap_facts as (

        select
            customer_id,
            count(*) as order_day_count,
            {{ econ_quantile('gap_days', 0.5) }} as median_gap_days

        from order_gaps
        group by customer_id

    ),

    active_months as (

        select
            customer_months.customer_id,
            customer_months.month_start,
            lag(customer_months.month_start) over (
                partition by customer_months.customer_id order by customer_months.month_start
            ) as previous_active_month

        from customer_months
        {% if months_back -%}
        cross join reporting_window
        where customer_months.revenue > 0
            and customer_months.month_start <= reporting_window.reporting_month
        {%- else -%}
        where customer_months.revenue > 0
        {%- endif %}

    ),

    repeat_facts as (

        select
            customer_id,
            count(*) as active_month_count,
            sum(case
                when {{ dbt.datediff('previous_active_month', 'month_start', 'month') }}
                    <= {{ var('repeat_purchase_window_months') }}
                    then 1
                else 0
            end) as repeat_month_count

        from active_months
        group by customer_id

    )
{%- endmacro %}
