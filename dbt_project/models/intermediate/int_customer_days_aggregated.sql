-- Incremental: the customer-days that a day's new landing files touch are summed again from all
-- their lines and replace the old figures; every other day stays as it was.
-- The batch's keys come from stg_orders in incremental builds only (macros/order_batch.sql);
-- dbt must know it always.
-- depends_on: {{ ref('stg_orders') }}
{{ config(
    materialized=order_lines_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['customer_id', 'order_date'],
) }}

with

order_lines as (

    select * from {{ ref('int_order_lines_costed') }}

),


reporting_window as (

    -- Reads the table itself: DuckDB materialises an import CTE used twice, a copy of every line.
    select {{ econ_reporting_date() }} as reporting_date
    from {{ ref('int_order_lines_costed') }}

),

aggregated as (

    -- The one pass over the order lines: every later model reads days, a fraction of the lines,
    -- and never repeats the distinct count of orders.
    select
        order_lines.customer_id,
        order_lines.order_date,
        cast(sum(order_lines.net_revenue) as decimal(18, 4)) as revenue,
        cast(coalesce(sum(case
            when order_lines.line_cost is not null then order_lines.net_revenue
        end), 0) as decimal(18, 4)) as revenue_costed,
        -- Absolute revenue (sales plus returns) is the base of margin coverage, so a credit note
        -- with no known cost lowers coverage instead of pushing it above 1.
        cast(sum(abs(order_lines.net_revenue)) as decimal(18, 4)) as revenue_volume,
        cast(coalesce(sum(case
            when order_lines.line_cost is not null then abs(order_lines.net_revenue)
        end), 0) as decimal(18, 4)) as revenue_volume_costed,
        cast(sum(order_lines.line_cost) as decimal(18, 4)) as line_cost,
        cast(sum(order_lines.gross_margin) as decimal(18, 4)) as gross_margin,
        cast(
            count(distinct case when not order_lines.is_return then order_lines.order_id end)
            as bigint
        ) as order_count,
        cast(count(*) as bigint) as line_count,
        cast(count(order_lines.line_cost) as bigint) as costed_line_count

    from order_lines
    cross join reporting_window
    where
        order_lines.order_date <= reporting_window.reporting_date
        and {{ touched_by_order_batch({
            'customer_id': 'order_lines.customer_id',
            'order_date': 'order_lines.order_date',
        }) }}
    group by order_lines.customer_id, order_lines.order_date

),

final as (

    -- The month is derived after grouping: one grouping key less over every order line.
    select
        customer_id,
        order_date,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
        revenue,
        revenue_costed,
        revenue_volume,
        revenue_volume_costed,
        line_cost,
        gross_margin,
        order_count,
        line_count,
        costed_line_count

    from aggregated

)

select * from final
