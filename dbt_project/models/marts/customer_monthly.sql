with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

economics as (

    select * from {{ ref('int_customer_economics') }}

),

reporting_window as (

    select
        cast({{ dbt.date_trunc('month', 'max(reporting_date)') }} as date) as reporting_month
    from economics

),

history as (

    select
        min(month_start) as first_month,
        -- Cost to serve is either known for every month (a service-cost file was loaded) or for none.
        count(cost_to_serve) > 0 as has_service_costs

    from customer_months

),

month_numbers as (

    -- 1,200 months (a century) is longer than any order history, so the calendar never runs short.
    {{ dbt.generate_series(1200) }}

),

calendar_months as (

    select
        cast({{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'history.first_month') }} as date)
            as month_start

    from month_numbers
    cross join history
    cross join reporting_window
    where {{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'history.first_month') }}
        <= reporting_window.reporting_month

),

customer_spans as (

    select
        customer_id,
        min(month_start) as first_month

    from customer_months
    group by customer_id

),

customer_calendar as (

    -- Every month from the customer's first activity to the reporting month, so quiet months show
    -- as zeros on the account page instead of disappearing from the chart.
    select
        customer_spans.customer_id,
        calendar_months.month_start

    from customer_spans
    inner join calendar_months
        on calendar_months.month_start >= customer_spans.first_month

),

filled as (

    -- A month without activity sold nothing and cost nothing: its zeros are real, not unknowns.
    select
        customer_calendar.customer_id,
        customer_calendar.month_start,
        coalesce(customer_months.revenue, 0) as revenue,
        case
            when customer_months.customer_id is null then 0
            else customer_months.gross_margin
        end as gross_margin,
        customer_months.revenue_volume,
        customer_months.revenue_volume_costed,
        coalesce(customer_months.order_count, 0) as order_count,
        case
            when history.has_service_costs then coalesce(customer_months.cost_to_serve, 0)
        end as cost_to_serve

    from customer_calendar
    cross join history
    left join customer_months
        on customer_calendar.customer_id = customer_months.customer_id
        and customer_calendar.month_start = customer_months.month_start

),

final as (

    select
        customer_id,
        month_start,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(gross_margin as decimal(18, 2)) as gross_margin,
        cast(case
            when revenue_volume > 0 then cast(revenue_volume_costed as double) / revenue_volume
        end as double) as margin_coverage,
        cast(order_count as bigint) as order_count,
        cast(cost_to_serve as decimal(18, 2)) as cost_to_serve,
        cast(gross_margin - cost_to_serve as decimal(18, 2)) as net_contribution

    from filled

)

select * from final
