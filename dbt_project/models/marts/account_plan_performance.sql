with

account_plans as (

    select * from {{ ref('stg_account_plans') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_costed') }}

),

customer_economics as (

    select * from {{ ref('int_customer_economics') }}

),

key_account_scorecard as (

    select * from {{ ref('key_account_scorecard') }}
    where definition_name = '{{ var("cadence_definition") }}'

),

reporting as (

    -- The same "as of" day as every other customer figure.
    select max(reporting_date) as reporting_date
    from customer_economics

),

definition as (

    select max(definition_version) as definition_version
    from key_account_scorecard

),

planned_customers as (

    select distinct customer_id
    from account_plans

),

daily_sales as (

    -- Only planned customers, one row per order day: the range join below then touches a few
    -- thousand rows per customer rather than every order line.
    select
        order_lines.customer_id,
        order_lines.order_date,
        sum(order_lines.net_revenue) as net_revenue,
        sum(case when order_lines.line_cost is not null then order_lines.net_revenue end) as costed_revenue,
        sum(order_lines.gross_margin) as gross_margin

    from order_lines
    inner join planned_customers on order_lines.customer_id = planned_customers.customer_id
    cross join reporting
    where order_lines.order_date <= reporting.reporting_date
    group by order_lines.customer_id, order_lines.order_date

),

period_sales as (

    select
        account_plans.customer_id,
        account_plans.period_start,
        sum(daily_sales.net_revenue) as net_revenue,
        sum(daily_sales.costed_revenue) as costed_revenue,
        sum(daily_sales.gross_margin) as gross_margin

    from account_plans
    inner join daily_sales
        on account_plans.customer_id = daily_sales.customer_id
        and daily_sales.order_date >= account_plans.period_start
        and daily_sales.order_date <= account_plans.period_end
    group by account_plans.customer_id, account_plans.period_start

),

periods as (

    select
        account_plans.customer_id,
        account_plans.period_start,
        account_plans.period_end,
        reporting.reporting_date,
        case
            when account_plans.period_end <= reporting.reporting_date then 'closed'
            when account_plans.period_start <= reporting.reporting_date then 'in_progress'
            else 'future'
        end as period_status,
        -- Share of the period's days up to and including the reporting date: targets are spread
        -- evenly over the period, so an in-progress period is judged on its days so far.
        case
            when account_plans.period_end <= reporting.reporting_date then 1.0
            when account_plans.period_start > reporting.reporting_date then 0.0
            else cast({{ dbt.datediff('account_plans.period_start', 'reporting.reporting_date', 'day') }} + 1 as double)  -- noqa: LT05
                / ({{ dbt.datediff('account_plans.period_start', 'account_plans.period_end', 'day') }} + 1)  -- noqa: LT05
        end as period_elapsed_share,
        account_plans.target_revenue,
        account_plans.target_gross_margin,
        period_sales.net_revenue,
        period_sales.costed_revenue,
        period_sales.gross_margin

    from account_plans
    cross join reporting
    left join period_sales
        on account_plans.customer_id = period_sales.customer_id
        and account_plans.period_start = period_sales.period_start

),

measured as (

    select
        *,
        cast(target_revenue * period_elapsed_share as decimal(18, 2)) as target_revenue_to_date,
        cast(target_gross_margin * period_elapsed_share as decimal(18, 2)) as target_gross_margin_to_date,
        -- A period that has not started has no actuals yet, rather than actuals of zero.
        case when period_status <> 'future' then cast(coalesce(net_revenue, 0) as decimal(18, 2)) end
            as actual_revenue,
        case when period_status <> 'future' then cast(coalesce(gross_margin, 0) as decimal(18, 2)) end
            as actual_gross_margin,
        case when net_revenue <> 0 then cast(coalesce(costed_revenue, 0) as double) / net_revenue end
            as margin_coverage

    from periods

),

attainment as (

    select
        *,
        case
            when target_revenue_to_date > 0 then cast(actual_revenue as double) / target_revenue_to_date
        end as revenue_attainment,
        case
            when target_gross_margin_to_date > 0
                then cast(actual_gross_margin as double) / target_gross_margin_to_date
        end as margin_attainment

    from measured

),

final as (

    select
        attainment.customer_id,
        customer_economics.customer_name,
        customer_economics.account_manager_id,
        attainment.period_start,
        attainment.period_end,
        attainment.reporting_date,
        attainment.period_status,
        attainment.period_elapsed_share,
        cast(attainment.target_revenue as decimal(18, 2)) as target_revenue,
        attainment.target_revenue_to_date,
        attainment.actual_revenue,
        attainment.revenue_attainment,
        cast(attainment.target_gross_margin as decimal(18, 2)) as target_gross_margin,
        attainment.target_gross_margin_to_date,
        attainment.actual_gross_margin,
        attainment.margin_coverage,
        attainment.margin_attainment,
        attainment.revenue_attainment < {{ var('cadence_below_plan_attainment') }} as is_below_plan,
        coalesce(key_account_scorecard.is_key_account, false) as is_key_account,
        '{{ var("cadence_definition") }}' as definition_name,
        definition.definition_version

    from attainment
    cross join definition
    left join customer_economics on attainment.customer_id = customer_economics.customer_id
    left join key_account_scorecard on attainment.customer_id = key_account_scorecard.customer_id

)

select * from final
