with

economics as (

    select * from {{ ref('int_customer_economics') }}

),

tiers as (

    select * from {{ ref('int_customer_tiers') }}

),

active_customers as (

    select
        economics.customer_id,
        economics.customer_name,
        economics.reporting_date,
        tiers.contribution_rank,
        economics.revenue_t12m,
        economics.net_contribution_t12m,
        -- An unknown contribution (no costed line) adds nothing to the curve.
        coalesce(economics.net_contribution_t12m, 0) as known_contribution

    from economics
    inner join tiers on economics.customer_id = tiers.customer_id
    -- No contribution rank: no contribution is known at all (no service costs), so no curve.
    where economics.is_active and tiers.contribution_rank is not null

),

cumulated as (

    select
        *,
        count(*) over () as active_customers,
        sum(known_contribution) over (
            order by contribution_rank rows between unbounded preceding and current row
        ) as cumulative_net_contribution,
        sum(known_contribution) over () as total_net_contribution,
        sum(revenue_t12m) over (
            order by contribution_rank rows between unbounded preceding and current row
        ) as cumulative_revenue,
        sum(revenue_t12m) over () as total_revenue

    from active_customers

),

final as (

    select
        reporting_date,
        customer_id,
        customer_name,
        contribution_rank,
        cast(contribution_rank as double) / active_customers as customer_share,
        revenue_t12m,
        net_contribution_t12m,
        cast(cumulative_net_contribution as decimal(18, 2)) as cumulative_net_contribution,
        -- Above 1 while the profitable customers are added, back down to 1 as the loss-makers
        -- eat into it; null when the portfolio as a whole makes no contribution.
        case
            when total_net_contribution > 0
                then cast(cumulative_net_contribution as double) / total_net_contribution
        end as cumulative_contribution_share,
        cast(cumulative_revenue as double) / total_revenue as cumulative_revenue_share

    from cumulated

)

select * from final
