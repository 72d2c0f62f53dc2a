with

orders as (

    select * from {{ ref('stg_orders') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

reporting_window as (

    select
        {% if var('reporting_date') %}
        cast('{{ var("reporting_date") }}' as date)
        {% else %}
        max(order_date)
        {% endif %} as reporting_date
    from orders

),

order_facts as (

    select
        orders.customer_id,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date,
        count(distinct orders.order_id) filter (where not orders.is_return) as order_count,
        sum(orders.net_revenue) as lifetime_revenue,
        coalesce(sum(orders.net_revenue) filter (
            where orders.order_date > {{ dbt.dateadd('month', -12, 'reporting_window.reporting_date') }}
        ), 0) as revenue_t12m

    from orders
    cross join reporting_window
    where orders.order_date <= reporting_window.reporting_date
    group by orders.customer_id

),

final as (

    select
        customers.customer_id,
        customers.customer_name,
        customers.industry,
        customers.region,
        customers.account_manager_id,
        reporting_window.reporting_date,
        order_facts.first_order_date,
        order_facts.last_order_date,
        coalesce(order_facts.order_count, 0) as order_count,
        cast(coalesce(order_facts.lifetime_revenue, 0) as decimal(18, 2)) as lifetime_revenue,
        cast(coalesce(order_facts.revenue_t12m, 0) as decimal(18, 2)) as revenue_t12m

    from customers
    cross join reporting_window
    left join order_facts on customers.customer_id = order_facts.customer_id

)

select * from final
