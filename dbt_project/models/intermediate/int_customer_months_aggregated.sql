-- Incremental: the customer-months that a day's new landing files touch are summed again from
-- their days and service costs and replace the old figures; a new service-cost file rebuilds
-- everything (orchestration/build_plan.py).
-- The batch's keys come from stg_orders in incremental builds only (macros/order_batch.sql);
-- dbt must know it always.
-- depends_on: {{ ref('stg_orders') }}
{{ config(
    materialized=order_lines_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['customer_id', 'month_start'],
) }}

with

customer_days as (

    select * from {{ ref('int_customer_days_aggregated') }}

),


service_costs as (

    select * from {{ ref('stg_service_costs') }}

),

reporting_window as (

    -- Reads the table itself: DuckDB materialises an import CTE used twice, a copy of every day.
    select {{ econ_reporting_date() }} as reporting_date
    from {{ ref('int_customer_days_aggregated') }}

),

service_cost_input as (

    -- No service-cost file at all means cost to serve is unknown, not zero.
    select count(*) > 0 as has_service_costs
    from service_costs

),

order_months as (

    -- Days are already cut at the reporting date.
    select
        customer_id,
        order_month as month_start,
        sum(revenue) as revenue,
        sum(revenue_costed) as revenue_costed,
        sum(revenue_volume) as revenue_volume,
        sum(revenue_volume_costed) as revenue_volume_costed,
        sum(line_cost) as line_cost,
        sum(gross_margin) as gross_margin,
        sum(order_count) as order_count,
        sum(line_count) as line_count,
        sum(costed_line_count) as costed_line_count

    from customer_days
    where {{ touched_by_order_batch({
        'customer_id': 'customer_days.customer_id',
        'order_month': 'customer_days.order_month',
    }) }}
    group by customer_id, order_month

),

service_months as (

    select
        service_costs.customer_id,
        cast({{ dbt.date_trunc('month', 'service_costs.activity_date') }} as date) as month_start,
        sum(service_costs.cost) as cost_to_serve

    from service_costs
    cross join reporting_window
    where
        service_costs.activity_date <= reporting_window.reporting_date
        and {{ touched_by_order_batch({
            'customer_id': 'service_costs.customer_id',
            'order_month': 'cast(' ~ dbt.date_trunc('month', 'service_costs.activity_date')
                ~ ' as date)',
        }) }}
    group by
        service_costs.customer_id,
        cast({{ dbt.date_trunc('month', 'service_costs.activity_date') }} as date)

),

joined as (

    select
        coalesce(order_months.customer_id, service_months.customer_id) as customer_id,
        coalesce(order_months.month_start, service_months.month_start) as month_start,
        order_months.revenue,
        order_months.revenue_costed,
        order_months.revenue_volume,
        order_months.revenue_volume_costed,
        order_months.line_cost,
        order_months.gross_margin,
        order_months.order_count,
        order_months.line_count,
        order_months.costed_line_count,
        service_months.cost_to_serve

    from order_months
    full outer join service_months
        on order_months.customer_id = service_months.customer_id
        and order_months.month_start = service_months.month_start

),

final as (

    select
        joined.customer_id,
        joined.month_start,
        cast(coalesce(joined.revenue, 0) as decimal(18, 2)) as revenue,
        cast(coalesce(joined.revenue_costed, 0) as decimal(18, 2)) as revenue_costed,
        cast(coalesce(joined.revenue_volume, 0) as decimal(18, 2)) as revenue_volume,
        cast(coalesce(joined.revenue_volume_costed, 0) as decimal(18, 2)) as revenue_volume_costed,
        -- Sums over costed lines only: null when the month has lines but none with a known cost,
        -- zero when it has no lines at all (nothing sold, nothing earned).
        cast(case
            when coalesce(joined.line_count, 0) = 0 then 0
            else joined.line_cost
        end as decimal(18, 2)) as line_cost,
        -- The difference of the rounded figures, not the rounded difference, so a month's margin
        -- is its revenue less its cost to the cent as a reader adds them up.
        cast(case
            when coalesce(joined.line_count, 0) = 0 then 0
            else cast(joined.revenue_costed as decimal(18, 2))
                - cast(joined.line_cost as decimal(18, 2))
        end as decimal(18, 2)) as gross_margin,
        cast(coalesce(joined.order_count, 0) as bigint) as order_count,
        cast(coalesce(joined.line_count, 0) as bigint) as line_count,
        cast(coalesce(joined.costed_line_count, 0) as bigint) as costed_line_count,
        cast(case
            when service_cost_input.has_service_costs then coalesce(joined.cost_to_serve, 0)
        end as decimal(18, 2)) as cost_to_serve

    from joined
    cross join service_cost_input

)

select * from final
