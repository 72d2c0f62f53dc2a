{#- Monthly trend and volatility: active months and quarters, the sums behind the coefficient of
    variation over 24 months (by month and by three-month block) and the least-squares trend
    through the last 12 complete months.
    Produces month_facts (customer_id, active_months_t12m, revenue_24m, revenue_squared_24m,
    trend_slope_12m, trend_months_12m, trend_sxx_12m, trend_syy_12m), quarter_blocks and
    quarter_facts (customer_id, active_quarters_t12m, revenue_8q, revenue_squared_8q). -#}
{% macro econ_trend_and_volatility_ctes(cut) -%}
    month_facts as (

        select
            customer_months.customer_id,
            sum(case
                when customer_months.month_start
                    > {{ dbt.dateadd('month', -12, 'reporting_window.reporting_month') }}
                    and customer_months.revenue > 0
                    then 1
                else 0
            end) as active_months_t12m,
            -- Sums for the coefficient of variation over the last 24 months; months without orders
            -- have no row here and enter as zeros through the month count.
            sum(case
                when customer_months.month_start
                    > {{ dbt.dateadd('month', -24, 'reporting_window.reporting_month') }}
                    then cast(customer_months.revenue as double)
                else 0
            end) as revenue_24m,
            sum(case
                when customer_months.month_start
                    > {{ dbt.dateadd('month', -24, 'reporting_window.reporting_month') }}
                    then cast(customer_months.revenue as double) * cast(customer_months.revenue as double)
                else 0
            end) as revenue_squared_24m,
            -- A least-squares line through the logarithm of each month's revenue over the last 12
            -- complete months with orders: its slope is the monthly growth rate, the scatter around
            -- it the noise that rate is read through.
            {%- set in_trend_window = "customer_months.revenue > 0"
                ~ " and customer_months.month_start <= reporting_window.trend_last_month"
                ~ " and customer_months.month_start > " ~ dbt.dateadd('month', -12, 'reporting_window.trend_last_month') %}
            {%- set trend_y = "case when " ~ in_trend_window ~ " then ln(cast(customer_months.revenue as double)) end" %}
            {%- set trend_x = "case when " ~ in_trend_window ~ " then cast("
                ~ month_difference('reporting_window.trend_last_month', 'customer_months.month_start') ~ " as double) end" %}
            regr_slope({{ trend_y }}, {{ trend_x }}) as trend_slope_12m,
            regr_count({{ trend_y }}, {{ trend_x }}) as trend_months_12m,
            regr_sxx({{ trend_y }}, {{ trend_x }}) as trend_sxx_12m,
            regr_syy({{ trend_y }}, {{ trend_x }}) as trend_syy_12m

        from customer_months
        cross join reporting_window
        {% if cut %}where customer_months.month_start <= reporting_window.reporting_month{% endif %}
        group by customer_months.customer_id

    ),

    quarter_blocks as (

        -- Three-month blocks counted back from the reporting month (block 0 = the last three months):
        -- a buyer who orders once a quarter is as regular as one who orders every month.
        select
            customer_months.customer_id,
            cast(floor({{ month_difference('customer_months.month_start', 'reporting_window.reporting_month') }} / 3)
                as integer) as block,
            cast(sum(customer_months.revenue) as double) as revenue

        from customer_months
        cross join reporting_window
        where customer_months.month_start
            > {{ dbt.dateadd('month', -24, 'reporting_window.reporting_month') }}
            {% if cut %}and customer_months.month_start <= reporting_window.reporting_month{% endif %}
        group by 1, 2

    ),

    quarter_facts as (

        select
            customer_id,
            sum(case when block < 4 and revenue > 0 then 1 else 0 end) as active_quarters_t12m,
            sum(revenue) as revenue_8q,
            sum(revenue * revenue) as revenue_squared_8q

        from quarter_blocks
        group by customer_id

    )
{%- endmacro %}
