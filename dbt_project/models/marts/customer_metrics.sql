with

economics as (

    select * from {{ ref('int_customer_economics') }}

),

tiers as (

    select * from {{ ref('int_customer_tiers') }}

),

flags as (

    select * from {{ ref('int_customer_flags') }}

),

final as (

    select
        economics.*,
        tiers.revenue_rank,
        tiers.revenue_cumulative_share,
        tiers.revenue_tier,
        tiers.contribution_rank,
        tiers.contribution_cumulative_share,
        tiers.contribution_tier,
        flags.is_big_but_unprofitable,
        flags.big_but_unprofitable_reason,
        flags.is_big_revenue_one_off,
        flags.big_revenue_one_off_reason,
        flags.is_easy_sell_no_growth,
        flags.easy_sell_no_growth_reason,
        flags.is_tomorrows_oak,
        flags.tomorrows_oak_reason,
        flags.flag_count

    from economics
    left join tiers on economics.customer_id = tiers.customer_id
    left join flags on economics.customer_id = flags.customer_id

)

select * from final
