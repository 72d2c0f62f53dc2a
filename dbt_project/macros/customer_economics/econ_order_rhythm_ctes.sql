{#- Order rhythm: the gaps between a customer's order days (its typical gap, which churn risk is
    read against) and how many of its active months follow another within the repeat window.
    Produces order_gaps, gaps_ranked, gap_facts (customer_id, order_day_count, median_gap_days),
    active_months and repeat_facts (customer_id, active_month_count, repeat_month_count). -#}
{% macro econ_order_rhythm_ctes(cut) -%}
    order_gaps as (

        select
            customer_id,
            ({{ dbt.datediff(
                'lag(order_date) over (partition by customer_id order by order_date)',
                'order_date',
                'day'
            ) }}) as gap_days

        from customer_days
        {% if cut -%}
        cross join reporting_window
        where customer_days.order_count > 0
            and customer_days.order_date <= reporting_window.reporting_date
        {%- else -%}
        where customer_days.order_count > 0
        {%- endif %}

    ),

    gaps_ranked as (

        -- The median gap is read from ranks, not from a quantile aggregate grouped by customer: that
        -- aggregate keeps every customer's gaps in its own state, which at 1M customers and 39M
        -- gaps spilled 77 GB and did not finish, where ranking is one sort that spills gracefully.
        -- The first order day has no gap (null): ranked after every gap, never counted.
        select
            customer_id,
            gap_days,
            row_number() over (partition by customer_id order by gap_days asc nulls last) as gap_rank,
            count(gap_days) over (partition by customer_id) as gap_count

        from order_gaps

    ),

    gap_facts as (

        -- The continuous median: the middle gap, or the mean of the two middle gaps.
        select
            customer_id,
            count(*) as order_day_count,
            avg(case
                when gap_rank in (floor(cast(gap_count + 1 as double) / 2), floor(cast(gap_count + 2 as double) / 2))
                    then cast(gap_days as double)
            end) as median_gap_days

        from gaps_ranked
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
        {% if cut -%}
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
                when {{ month_difference('previous_active_month', 'month_start') }}
                    <= {{ var('repeat_purchase_window_months') }}
                    then 1
                else 0
            end) as repeat_month_count

        from active_months
        group by customer_id

    )
{%- endmacro %}
