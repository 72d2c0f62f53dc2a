with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

customer_wallets as (

    select * from {{ ref('int_customer_wallets_estimated') }}

),

service_cost_input as (

    -- Cost to serve is either known for every month (a service-cost file was loaded) or for none.
    select count(cost_to_serve) > 0 as has_service_costs
    from customer_months

),

calendar_years as (

    select distinct
        calendar_year,
        is_complete_year

    from customer_wallets

),

yearly_activity as (

    select
        customer_id,
        cast(extract(year from month_start) as integer) as calendar_year,
        sum(revenue) as revenue,
        sum(revenue_volume) as revenue_volume,
        sum(revenue_volume_costed) as revenue_volume_costed,
        -- Null only when the year had lines and none of them a known cost.
        case
            when sum(line_count) > 0 and sum(costed_line_count) = 0 then null
            else sum(coalesce(gross_margin, 0))
        end as gross_margin,
        sum(order_count) as order_count,
        sum(cost_to_serve) as cost_to_serve

    from customer_months
    group by customer_id, cast(extract(year from month_start) as integer)

),

joined as (

    -- Years with activity, plus the quiet years since the first order that the wallet model lists.
    select
        coalesce(yearly_activity.customer_id, customer_wallets.customer_id) as customer_id,
        coalesce(yearly_activity.calendar_year, customer_wallets.calendar_year) as calendar_year,
        coalesce(yearly_activity.revenue, 0) as revenue,
        yearly_activity.revenue_volume,
        yearly_activity.revenue_volume_costed,
        case
            when yearly_activity.customer_id is null then 0
            else yearly_activity.gross_margin
        end as gross_margin,
        coalesce(yearly_activity.order_count, 0) as order_count,
        case
            when service_cost_input.has_service_costs then coalesce(yearly_activity.cost_to_serve, 0)
        end as cost_to_serve,
        customer_wallets.wallet,
        customer_wallets.wallet_source

    from yearly_activity
    full outer join customer_wallets
        on yearly_activity.customer_id = customer_wallets.customer_id
        and yearly_activity.calendar_year = customer_wallets.calendar_year
    cross join service_cost_input

),

final as (

    select
        joined.customer_id,
        joined.calendar_year,
        calendar_years.is_complete_year,
        cast(joined.revenue as decimal(18, 2)) as revenue,
        cast(joined.gross_margin as decimal(18, 2)) as gross_margin,
        cast(case
            when joined.revenue_volume > 0 then cast(joined.revenue_volume_costed as double) / joined.revenue_volume
        end as double) as margin_coverage,
        cast(joined.order_count as bigint) as order_count,
        cast(joined.cost_to_serve as decimal(18, 2)) as cost_to_serve,
        cast(joined.gross_margin - joined.cost_to_serve as decimal(18, 2)) as net_contribution,
        cast(joined.wallet as decimal(18, 2)) as wallet,
        joined.wallet_source,
        -- A year of net returns has no share of the wallet rather than a negative one.
        cast(case
            when joined.wallet > 0
                then cast(case when joined.revenue > 0 then joined.revenue else 0 end as double) / joined.wallet
        end as double) as share_of_wallet

    from joined
    left join calendar_years on joined.calendar_year = calendar_years.calendar_year

)

select * from final
