-- Every active customer has exactly one revenue tier and one contribution tier (none at all when
-- no contribution is known: no service costs); inactive customers have none. Returns the
-- customers that break it.
-- Dagster shows it as a check of the table it guards; it reads several.
{{ config(meta={'dagster': {'ref': {'name': 'int_customer_tiers'}}}) }}

with

economics as (

    select customer_id, is_active from {{ ref('int_customer_economics') }}

),

contribution_known as (

    select count(net_contribution_t12m) > 0 as is_known
    from {{ ref('int_customer_economics') }}
    where is_active

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
cross join contribution_known
where
    economics.customer_id is null
    or tier_rows.customer_id is null
    or tier_rows.tier_rows <> 1
    or (economics.is_active and tier_rows.revenue_tier is null)
    or (economics.is_active and (tier_rows.contribution_tier is null) = contribution_known.is_known)
    or (not economics.is_active and (tier_rows.revenue_tier is not null or tier_rows.contribution_tier is not null))
