{#- The mistake flags and tomorrow's oak: the SQL of int_customer_flags (see its .yml), a macro so
    the backtest and the quarter-end history flag the portfolio as it stood then. economics, tiers:
    the models to read; each reporting date in them is judged against its own portfolio. -#}
{% macro customer_flags(economics='int_customer_economics', tiers='int_customer_tiers') %}
    with

    customer_economics as (

        select * from {{ ref(economics) }}

    ),

    tiers as (

        select * from {{ ref(tiers) }}

    ),

    portfolio as (

        select
            reporting_date,
            {{ econ_quantile('contribution_margin_pct_t12m', 0.5) }} as typical_margin

        from customer_economics
        where is_active
        group by reporting_date

    ),

    tests as (

        -- Each condition stays three-valued: null when a figure it needs is unknown, so a flag that
        -- the known figures do not rule out comes out null ("cannot tell"), never silently false.
        select
            customer_economics.*,
            -- "Big" is the Pareto minority that makes 80 % of revenue (revenue tier A): what a revenue
            -- ranking would call key accounts, however long or short the tail behind it.
            coalesce(tiers.revenue_tier = 'A', false) as is_big,

            -- Net margin after cost to serve (the gross margin where there are no service costs),
            -- against what the typical customer earns us.
            portfolio.typical_margin,
            contribution_margin_pct_t12m
                < greatest(0.0, {{ var('flag_unprofitable_max_share_of_typical_margin') }} * portfolio.typical_margin)
                as is_thin_margin,

            tenure_months < {{ var('flag_one_off_max_tenure_months') }}
                and (not is_tenure_censored or history_months < {{ var('flag_one_off_max_tenure_months') }})
                as is_short_tenure,
            active_months_lifetime <= {{ var('flag_one_off_max_active_months') }} as is_few_active_months,

            active_quarters_t12m >= {{ var('flag_easy_sell_min_active_quarters') }}
                and quarterly_revenue_volatility <= {{ var('flag_easy_sell_max_volatility') }} as is_regular_buyer,
            -- No growth on either view: year on year, or over three years where the history shows
            -- them (one year's figure moves with order timing); where neither is known (a one-year
            -- export, a young customer), no growth beyond the noise of the trend through the year.
            -- least() skips an unknown view.
            coalesce(least(revenue_growth_yoy, revenue_trend_3y),
                     exp(ln(1 + revenue_trend_1y) - revenue_trend_1y_error) - 1)
                <= {{ var('flag_easy_sell_max_growth') }} as is_flat_or_shrinking,
            share_of_wallet >= {{ var('flag_easy_sell_min_share_of_wallet') }} as is_little_headroom,
            -- A key account must show its fit; an account never assessed has shown none.
            coalesce(strategic_fit_score <= {{ var('flag_easy_sell_max_strategic_fit') }}, true) as is_no_strategic_fit,

            -- Growth as material as the revenue behind it: a tiny customer's jump is not an oak.
            -- ... and standing out of the customer's own month-to-month noise (one standard error):
            -- a sporadic buyer's doubling is often just two large orders in the later year.
            revenue_growth_material >= {{ var('flag_oak_min_growth') }}
                and case when revenue_growth > -1 then ln(1 + revenue_growth) end >= revenue_growth_error
                as is_strong_growth,
            (active_months_t12m >= {{ var('flag_oak_min_active_months') }} and active_quarters_t12m >= 3)
                or (active_quarters_t12m = 4
                    and quarterly_revenue_volatility <= {{ var('flag_oak_max_quarterly_volatility') }})
                as is_steady_buyer,
            share_of_wallet <= {{ var('flag_oak_max_share_of_wallet') }} as is_real_headroom,
            -- Young accounts are often not assessed yet; the flag is the prompt to assess them, so a
            -- missing assessment does not hide a candidate (the reason says so).
            coalesce(strategic_fit_score >= {{ var('flag_oak_min_strategic_fit') }}, true) as is_good_fit

        from customer_economics
        left join tiers
            on customer_economics.customer_id = tiers.customer_id
            and customer_economics.reporting_date = tiers.reporting_date
        left join portfolio on customer_economics.reporting_date = portfolio.reporting_date

    ),

    unprofitable as (

        select
            *,
            is_big and is_thin_margin as is_big_but_unprofitable

        from tests

    ),

    flagged as (

        select
            *,
            is_big and is_short_tenure and is_few_active_months as is_big_revenue_one_off,
            -- A customer is named with its most serious mistake: a big account that does not pay is
            -- big but unprofitable, however easy it is to sell to.
            is_regular_buyer and is_flat_or_shrinking and is_little_headroom and is_no_strategic_fit
                and not coalesce(is_big_but_unprofitable, false)
                as is_easy_sell_no_growth,
            not is_big and is_strong_growth and is_steady_buyer and is_real_headroom and is_good_fit
                as is_tomorrows_oak

        from unprofitable

    ),

    final as (

        select
            customer_id,
            reporting_date,
            is_big_but_unprofitable,
            case when is_big_but_unprofitable then {{ dbt.concat([
                "'Revenue '", flag_format_money('revenue_t12m'),
                "' (revenue tier A) but '",
                "case when contribution_basis = 'net_contribution' then "
                    ~ dbt.concat(["'net margin '", flag_format_percent('contribution_margin_pct_t12m'),
                                  "' after '", flag_format_money('cost_to_serve_t12m'), "' cost to serve'"])
                    ~ " else " ~ dbt.concat(["'gross margin '", flag_format_percent('contribution_margin_pct_t12m'),
                                             "' (no cost to serve known)'"]) ~ " end",
                "', against '", flag_format_percent('typical_margin'), "' for the typical customer'",
            ]) }} end as big_but_unprofitable_reason,

            is_big_revenue_one_off,
            case when is_big_revenue_one_off then {{ dbt.concat([
                "'Revenue '", flag_format_money('revenue_t12m'),
                "' (revenue tier A) from a customer of '", flag_to_text('tenure_months'),
                "' months with orders in '", flag_to_text('active_months_lifetime'), "' months in all'",
            ]) }} end as big_revenue_one_off_reason,

            is_easy_sell_no_growth,
            case when is_easy_sell_no_growth then {{ dbt.concat([
                "'Orders in '", flag_to_text('active_quarters_t12m'),
                "' of the last 4 quarters, steadily (volatility '", flag_format_number('quarterly_revenue_volatility', 2),
                "'), but revenue '", flag_format_percent('coalesce(least(revenue_growth_yoy, revenue_trend_3y), revenue_trend_1y)', 1, true),
                "' a year'",
                "case when revenue_growth_yoy is null and revenue_trend_3y is null then "
                    ~ dbt.concat(["' (trend through one year, ±'",
                                  flag_format_percent('exp(revenue_trend_1y_error) - 1', 0), "' noise)'"])
                    ~ " else '' end",
                "', '", flag_format_percent('share_of_wallet', 0),
                "' of the wallet already won and '",
                "case when strategic_fit_score is null then 'strategic fit not assessed' else "
                    ~ dbt.concat(["'strategic fit '", flag_format_number('strategic_fit_score', 1), "' / 5'"]) ~ " end",
            ]) }} end as easy_sell_no_growth_reason,

            is_tomorrows_oak,
            case when is_tomorrows_oak then {{ dbt.concat([
                "'Revenue '", flag_format_money('revenue_t12m'), "' (outside revenue tier A) '",
                "'growing '", flag_format_percent('revenue_growth', 0), "' a year'",
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
{% endmacro %}
