{%- set top_share_label = ((var('flag_big_top_share') | float) * 100) | round(0) | int -%}

with

customer_economics as (

    select * from {{ ref('int_customer_economics') }}

),

size_ranks as (

    -- "Big" is relative to the active portfolio, so the same rule works for 200 or 100,000 customers.
    select
        customer_id,
        row_number() over (order by revenue_t12m desc, customer_id) as revenue_rank,
        count(*) over () as active_customers

    from customer_economics
    where is_active

),

tests as (

    -- Each condition stays three-valued: null when a figure it needs is unknown, so a flag that
    -- the known figures do not rule out comes out null ("cannot tell"), never silently false.
    select
        customer_economics.*,
        coalesce(
            size_ranks.revenue_rank <= ceil({{ var('flag_big_top_share') }} * size_ranks.active_customers),
            false
        ) as is_big,

        net_margin_pct_t12m < {{ var('flag_unprofitable_max_net_margin') }} as is_thin_margin,

        tenure_months < {{ var('flag_one_off_max_tenure_months') }} as is_short_tenure,
        active_months_t12m <= {{ var('flag_one_off_max_active_months') }} as is_few_active_months,
        order_count_lifetime <= {{ var('flag_one_off_max_orders') }} as is_few_orders,

        active_months_t12m >= {{ var('flag_easy_sell_min_active_months') }}
            and revenue_volatility <= {{ var('flag_easy_sell_max_volatility') }} as is_regular_buyer,
        revenue_growth_yoy <= {{ var('flag_easy_sell_max_growth') }} as is_flat_or_shrinking,
        share_of_wallet >= {{ var('flag_easy_sell_min_share_of_wallet') }} as is_little_headroom,
        -- A key account must show its fit; an account never assessed has shown none.
        coalesce(strategic_fit_score <= {{ var('flag_easy_sell_max_strategic_fit') }}, true) as is_no_strategic_fit,

        -- Either growth figure suffices; unknown only when neither is known.
        case
            when revenue_growth_yoy is null and revenue_trend_3y is null then null
            else coalesce(revenue_growth_yoy >= {{ var('flag_oak_min_growth') }}, false)
                or coalesce(revenue_trend_3y >= {{ var('flag_oak_min_growth') }}, false)
        end as is_strong_growth,
        active_months_t12m >= {{ var('flag_oak_min_active_months') }} as is_steady_buyer,
        share_of_wallet <= {{ var('flag_oak_max_share_of_wallet') }} as is_real_headroom,
        -- Young accounts are often not assessed yet; the flag is the prompt to assess them, so a
        -- missing assessment does not hide a candidate (the reason says so).
        coalesce(strategic_fit_score >= {{ var('flag_oak_min_strategic_fit') }}, true) as is_good_fit

    from customer_economics
    left join size_ranks on customer_economics.customer_id = size_ranks.customer_id

),

flagged as (

    select
        *,
        is_big and is_thin_margin as is_big_but_unprofitable,
        is_big and is_short_tenure and (is_few_active_months or is_few_orders) as is_big_revenue_one_off,
        is_regular_buyer and is_flat_or_shrinking and is_little_headroom and is_no_strategic_fit
            as is_easy_sell_no_growth,
        not is_big and is_strong_growth and is_steady_buyer and is_real_headroom and is_good_fit
            as is_tomorrows_oak

    from tests

),

final as (

    select
        customer_id,
        is_big_but_unprofitable,
        case when is_big_but_unprofitable then {{ dbt.concat([
            "'Revenue '", flag_format_money('revenue_t12m'),
            "' (top " ~ top_share_label ~ " %) but net margin '", flag_format_percent('net_margin_pct_t12m'),
            "' after '", flag_format_money('cost_to_serve_t12m'), "' cost to serve'",
        ]) }} end as big_but_unprofitable_reason,

        is_big_revenue_one_off,
        case when is_big_revenue_one_off then {{ dbt.concat([
            "'Revenue '", flag_format_money('revenue_t12m'),
            "' (top " ~ top_share_label ~ " %) from a customer of '", flag_to_text('tenure_months'),
            "' months with orders in '", flag_to_text('active_months_t12m'),
            "' of the last 12 months and '", flag_to_text('order_count_lifetime'), "' orders in all'",
        ]) }} end as big_revenue_one_off_reason,

        is_easy_sell_no_growth,
        case when is_easy_sell_no_growth then {{ dbt.concat([
            "'Orders in '", flag_to_text('active_months_t12m'),
            "' of the last 12 months, steadily (volatility '", flag_format_number('revenue_volatility', 2),
            "'), but revenue '", flag_format_percent('revenue_growth_yoy', 1, true),
            "' year on year, '", flag_format_percent('share_of_wallet', 0),
            "' of the wallet already won and '",
            "case when strategic_fit_score is null then 'strategic fit not assessed' else "
                ~ dbt.concat(["'strategic fit '", flag_format_number('strategic_fit_score', 1), "' / 5'"]) ~ " end",
        ]) }} end as easy_sell_no_growth_reason,

        is_tomorrows_oak,
        case when is_tomorrows_oak then {{ dbt.concat([
            "'Revenue '", flag_format_money('revenue_t12m'), "' (outside the top " ~ top_share_label ~ " %) '",
            "case when revenue_growth_yoy >= " ~ var('flag_oak_min_growth') ~ " then "
                ~ dbt.concat(["'up '", flag_format_percent('revenue_growth_yoy', 0), "' year on year'"])
                ~ " else " ~ dbt.concat(["'growing '", flag_format_percent('revenue_trend_3y', 0), "' a year over 3 years'"]) ~ " end",
            "', only '", flag_format_percent('share_of_wallet', 0), "' of a '", flag_format_money('wallet'),
            "' wallet, '",
            "case when strategic_fit_score is null then 'strategic fit not yet assessed' else "
                ~ dbt.concat(["'strategic fit '", flag_format_number('strategic_fit_score', 1), "' / 5'"]) ~ " end",
        ]) }} end as tomorrows_oak_reason,

        (case when is_big_but_unprofitable then 1 else 0 end)
        + (case when is_big_revenue_one_off then 1 else 0 end)
        + (case when is_easy_sell_no_growth then 1 else 0 end)
        + (case when is_tomorrows_oak then 1 else 0 end) as flag_count

    from flagged

)

select * from final
