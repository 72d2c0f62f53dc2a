-- Incremental: the lines of a day's new landing files are costed and added; costs are looked up
-- at each line's order date, so earlier lines keep theirs (a new cost file rebuilds everything,
-- see orchestration/build_plan.py).
{{ config(
    materialized=order_lines_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['order_id', 'line_number'],
) }}

with

orders as (

    select * from {{ ref('stg_orders') }}
    where {{ in_order_batch() }}

),

product_costs as (

    select * from {{ ref('stg_product_costs') }}

),

standard_costs as (

    -- The standard cost in force on the order date: a range join rather than ASOF, which only some
    -- engines have. Validity intervals of one product never overlap, so a line matches at most once.
    select
        orders.order_id,
        orders.line_number,
        orders.order_date,
        orders.order_month,
        orders.customer_id,
        orders.product_id,
        orders.quantity,
        orders.net_revenue,
        orders.cost_amount,
        orders.is_return,
        product_costs.unit_cost

    from orders
    left join product_costs
        on orders.product_id = product_costs.product_id
        and product_costs.valid_from <= orders.order_date
        and (product_costs.valid_until is null or orders.order_date < product_costs.valid_until)

),

costed as (

    select
        *,
        -- A cost the source system recorded on the line beats a standard cost: it knows the batch.
        -- The quantity (a double) is multiplied as a decimal, so every engine rounds the same exact
        -- product half up (a double's product is rounded to the cent differently from engine to
        -- engine). 19 digits: DuckDB keeps the product of two 18-digit decimals within 18 digits and
        -- overflows; Spark's product of 19 and 18 digits has 38, the most it keeps exact.
        case
            when cost_amount is not null then cast(cost_amount as decimal(18, 4))
            when unit_cost is not null
                then cast(cast(quantity as decimal(19, 4)) * cast(unit_cost as decimal(18, 6)) as decimal(18, 4))
        end as line_cost,
        case
            when cost_amount is not null then 'recorded'
            when unit_cost is not null then 'standard'
            else 'unknown'
        end as cost_source

    from standard_costs

),

final as (

    select
        order_id,
        line_number,
        order_date,
        order_month,
        customer_id,
        product_id,
        quantity,
        net_revenue,
        is_return,
        cast(unit_cost as decimal(18, 6)) as standard_unit_cost,
        line_cost,
        cost_source,
        cast(net_revenue - line_cost as decimal(18, 4)) as gross_margin

    from costed

)

select * from final
