-- Every active customer has exactly one revenue tier and one contribution tier; inactive customers
-- have none. Returns the customers that break it.
with

economics as (

    select customer_id, is_active from {{ ref('int_customer_economics') }}

),

tiers as (

    select customer_id, revenue_tier, contribution_tier from {{ ref('int_customer_tiers') }}

),

tier_rows as (

    select
        customer_id,
        count(*) as tier_rows,
        max(revenue_tier) as revenue_tier,
        max(contribution_tier) as contribution_tier

    from tiers
    group by customer_id

)

select
    economics.customer_id,
    economics.is_active,
    tier_rows.tier_rows,
    tier_rows.revenue_tier,
    tier_rows.contribution_tier

from economics
full outer join tier_rows on economics.customer_id = tier_rows.customer_id
where
    economics.customer_id is null
    or tier_rows.customer_id is null
    or tier_rows.tier_rows <> 1
    or (economics.is_active and (tier_rows.revenue_tier is null or tier_rows.contribution_tier is null))
    or (not economics.is_active and (tier_rows.revenue_tier is not null or tier_rows.contribution_tier is not null))
