-- Every euro of net revenue up to the reporting date lands once in customer_monthly and once in
-- customer_yearly. Returns a row per table whose total differs from the order lines.
with

reporting_window as (

    select max(reporting_date) as reporting_date
    from {{ ref('int_customer_economics') }}

),

orders_total as (

    select coalesce(sum(stg_orders.net_revenue), 0) as revenue
    from {{ ref('stg_orders') }} as stg_orders
    cross join reporting_window
    where stg_orders.order_date <= reporting_window.reporting_date

),

mart_totals as (

    select 'customer_monthly' as mart, coalesce(sum(revenue), 0) as revenue
    from {{ ref('customer_monthly') }}

    union all

    select 'customer_yearly' as mart, coalesce(sum(revenue), 0) as revenue
    from {{ ref('customer_yearly') }}

)

select
    mart_totals.mart,
    mart_totals.revenue as mart_revenue,
    orders_total.revenue as order_revenue

from mart_totals
cross join orders_total
where mart_totals.revenue <> orders_total.revenue
