-- Every euro of net revenue up to the reporting date lands once in customer_monthly and once in
-- customer_yearly, to the cent of each customer-month (lines keep four decimals; money is reported
-- in cents per customer and month). Returns a row per table whose total differs from the order
-- lines.
-- Dagster shows it as a check of the table it guards; it reads several.
{{ config(meta={'dagster': {'ref': {'name': 'customer_monthly'}}}) }}

with

reporting_window as (

    select max(reporting_date) as reporting_date
    from {{ ref('int_customer_economics') }}

),

order_months as (

    select cast(sum(stg_orders.net_revenue) as decimal(18, 2)) as revenue
    from {{ ref('stg_orders') }} as stg_orders
    cross join reporting_window
    where stg_orders.order_date <= reporting_window.reporting_date
    group by stg_orders.customer_id, {{ dbt.date_trunc('month', 'stg_orders.order_date') }}

),

orders_total as (

    select coalesce(sum(revenue), 0) as revenue
    from order_months

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
