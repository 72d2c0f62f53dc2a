{#- The measures: what is derived from the joined facts (wallet, contribution, recency, typical gap,
    the volatility window), then every column of int_customer_economics up to the growth rate, in
    contract order and at contract type.
    Produces derived (joined's columns and wallet, revenue_t12m_positive, portfolio_trend_slope_12m,
    contribution_t12m, contribution_basis, days_since_last_order, typical_gap_days,
    volatility_month_count) and measured (customer_id .. relationship_access_score).
    Ratios of money are taken in double, the numerator cast first: Spark keeps decimal / decimal a
    decimal cut to a few digits, where DuckDB divides in double. -#}
{% macro econ_measure_ctes() -%}
    derived as (

        select
            *,
            -- The T12M revenue cannot exceed what the customer could spend: a wallet below it is
            -- lifted to it, so share of wallet stays within 0..1 and headroom never turns negative.
            case
                when yearly_wallet < revenue_t12m then revenue_t12m
                else yearly_wallet
            end as wallet,
            case when revenue_t12m > 0 then revenue_t12m else 0 end as revenue_t12m_positive,
            -- The typical customer's monthly trend: what seasonality does to every customer alike
            -- within one year, so a customer's trend is read against it. The median, so projects
            -- ending and customers leaving do not make everyone else look like growth.
            {{ econ_quantile_over_all(
                'case when trend_months_12m >= ' ~ var('trend_1y_min_months') ~ ' then trend_slope_12m end', 0.5) }}
                as portfolio_trend_slope_12m,
            -- Without service costs the profit we know is the gross margin: it stands in for net
            -- contribution (contribution_basis says which one a figure is).
            case
                when cost_to_serve_t12m is not null then gross_margin_t12m - cost_to_serve_t12m
                else gross_margin_t12m
            end as contribution_t12m,
            case
                when cost_to_serve_t12m is not null and gross_margin_t12m is not null then 'net_contribution'
                when gross_margin_t12m is not null then 'gross_margin'
            end as contribution_basis,
            ({{ dbt.datediff('last_order_date', 'reporting_date', 'day') }}) as days_since_last_order,
            case
                when order_day_count >= {{ var('typical_gap_min_orders') }}
                    then cast(median_gap_days as double)
            end as typical_gap_days,
            -- Months of the last 24 the customer could have bought in: none before its first order.
            {{ month_difference(
                'case when first_order_month > volatility_window_start'
                ~ ' then first_order_month else volatility_window_start end',
                'reporting_month'
            ) }} + 1 as volatility_month_count

        from joined

    ),

    measured as (

        select
            customer_id,
            customer_name,
            industry,
            region,
            size_band,
            account_manager_id,
            reporting_date,
            revenue_t12m > 0 as is_active,
            first_order_date,
            last_order_date,
            cast(revenue_t12m as decimal(18, 2)) as revenue_t12m,
            cast(case when covers_prior_t12m then revenue_prior_t12m end as decimal(18, 2))
                as revenue_prior_t12m,
            cast(revenue_lifetime as decimal(18, 2)) as revenue_lifetime,
            cast(gross_margin_t12m as decimal(18, 2)) as gross_margin_t12m,
            -- The margin rate on the revenue whose cost is known, so unknown costs do not dilute it.
            cast(case
                when revenue_costed_t12m > 0 then cast(gross_margin_t12m as double) / revenue_costed_t12m
            end as double) as gross_margin_pct_t12m,
            cast(case
                when revenue_volume_t12m > 0 then cast(revenue_volume_costed_t12m as double) / revenue_volume_t12m
            end as double) as margin_coverage_t12m,
            cast(cost_to_serve_t12m as decimal(18, 2)) as cost_to_serve_t12m,
            -- The difference of the rounded figures, so margin less cost to serve adds up to the cent.
            cast(
                cast(gross_margin_t12m as decimal(18, 2)) - cast(cost_to_serve_t12m as decimal(18, 2))
                as decimal(18, 2)
            ) as net_contribution_t12m,
            cast(case
                when revenue_t12m > 0 then cast(gross_margin_t12m - cost_to_serve_t12m as double) / revenue_t12m
            end as double) as net_margin_pct_t12m,
            cast(contribution_t12m as decimal(18, 2)) as contribution_t12m,
            contribution_basis,
            cast(case
                when revenue_t12m > 0 then cast(contribution_t12m as double) / revenue_t12m
            end as double) as contribution_margin_pct_t12m,
            cast(wallet as decimal(18, 2)) as wallet,
            cast(wallet_year as integer) as wallet_year,
            wallet_source,
            cast(case when wallet > 0 then cast(revenue_t12m_positive as double) / wallet end as double)
                as share_of_wallet,
            cast(wallet - revenue_t12m_positive as decimal(18, 2)) as wallet_headroom,
            cast({{ month_difference('first_order_date', 'reporting_date') }} as integer)
                as tenure_months,
            cast(history_months as integer) as history_months,
            first_order_date < tenure_censored_before as is_tenure_censored,
            cast(active_years as integer) as active_years,
            cast(case
                when first_order_date is not null
                    then reporting_year - cast(extract(year from first_order_date) as integer) + 1
            end as integer) as possible_years,
            cast(active_months_t12m as integer) as active_months_t12m,
            cast(active_quarters_t12m as integer) as active_quarters_t12m,
            cast(coalesce(active_month_count, 0) as integer) as active_months_lifetime,
            cast(case
                when active_month_count > 0 then cast(repeat_month_count as double) / active_month_count
            end as double) as repeat_rate,
            cast(order_count_t12m as integer) as order_count_t12m,
            cast(order_count_lifetime as integer) as order_count_lifetime,
            cast(days_since_last_order as integer) as days_since_last_order,
            typical_gap_days,
            cast(days_since_last_order / typical_gap_days as double) as churn_risk_ratio,
            case
                when typical_gap_days is not null
                    then days_since_last_order / typical_gap_days >= {{ var('churn_risk_min_gap_ratio') }}
                        and days_since_last_order >= {{ var('churn_risk_min_days_since_order') }}
            end as is_churn_risk,
            cast(case
                when covers_prior_t12m and revenue_prior_t12m > 0
                    then cast(revenue_t12m as double) / revenue_prior_t12m - 1
            end as double) as revenue_growth_yoy,
            -- Where year on year cannot be known (a history of one year, a customer younger than
            -- two), the trend through the last year's months, relative to the portfolio's (which
            -- takes out seasonality) and compounded to a year, is what the history can show. Its
            -- standard error says how far month-to-month noise alone moves it (log scale, per year).
            cast(case
                when covers_t12m and trend_months_12m >= {{ var('trend_1y_min_months') }}
                    then exp(12 * (trend_slope_12m - portfolio_trend_slope_12m)) - 1
            end as double) as revenue_trend_1y,
            cast(case
                when covers_t12m and trend_months_12m >= {{ var('trend_1y_min_months') }} and trend_sxx_12m > 0
                    then 12 * sqrt(
                        case
                            when trend_syy_12m - trend_slope_12m * trend_slope_12m * trend_sxx_12m > 0
                                then (trend_syy_12m - trend_slope_12m * trend_slope_12m * trend_sxx_12m)
                                    / (trend_months_12m - 2) / trend_sxx_12m
                            else 0
                        end)
            end as double) as revenue_trend_1y_error,
            cast(case
                when covers_prior_t12m and gross_margin_prior_t12m > 0
                    then cast(gross_margin_t12m as double) / gross_margin_prior_t12m - 1
            end as double) as gross_margin_growth_yoy,
            -- The least-squares slope of three equally spaced points is (last - first) / 2; divided by
            -- their mean it reads as growth per year relative to the account's size.
            cast(case
                when covers_third_t12m and revenue_t12m + revenue_prior_t12m + revenue_third_t12m > 0
                    then (cast(revenue_t12m - revenue_third_t12m as double) / 2)
                        / (cast(revenue_t12m + revenue_prior_t12m + revenue_third_t12m as double) / 3)
            end as double) as revenue_trend_3y,
            cast(case
                when volatility_month_count >= {{ var('volatility_min_months') }} and revenue_24m > 0
                    then sqrt(
                        case
                            when revenue_squared_24m - revenue_24m * revenue_24m / volatility_month_count > 0
                                then (revenue_squared_24m - revenue_24m * revenue_24m / volatility_month_count)
                                    / (volatility_month_count - 1)
                            else 0
                        end
                    ) / (revenue_24m / volatility_month_count)
            end as double) as revenue_volatility,
            -- The same on three-month blocks over the last 24 months: regular for monthly and
            -- quarterly buyers alike.
            cast(case
                when volatility_month_count >= {{ var('volatility_min_months') }} and revenue_8q > 0
                    then sqrt(
                        case
                            when revenue_squared_8q
                                - revenue_8q * revenue_8q / ceiling(cast(volatility_month_count as double) / 3) > 0
                                then (revenue_squared_8q
                                    - revenue_8q * revenue_8q / ceiling(cast(volatility_month_count as double) / 3))
                                    / greatest(ceiling(cast(volatility_month_count as double) / 3) - 1, 1)
                            else 0
                        end
                    ) / (revenue_8q / ceiling(cast(volatility_month_count as double) / 3))
            end as double) as quarterly_revenue_volatility,
            cast(executive_access as integer) as executive_access,
            cast(decision_access as integer) as decision_access,
            cast(cultural_fit as integer) as cultural_fit,
            cast(strategic_alignment as integer) as strategic_alignment,
            assessed_on,
            cast(case
                when cultural_fit is not null and strategic_alignment is not null
                    then cast(cultural_fit + strategic_alignment as double) / 2
                else coalesce(cultural_fit, strategic_alignment)
            end as double) as strategic_fit_score,
            cast(case
                when executive_access is not null and decision_access is not null
                    then cast(executive_access + decision_access as double) / 2
                else coalesce(executive_access, decision_access)
            end as double) as relationship_access_score

        from derived

    )
{%- endmacro %}
