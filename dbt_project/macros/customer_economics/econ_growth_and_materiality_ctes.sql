{#- Growth and its materiality: one yearly growth rate per customer with the error noise alone
    gives it, and that rate shrunk towards the portfolio's in proportion to the revenue behind it.
    Produces growth_rated (measured's columns, revenue_growth, revenue_growth_error) and final
    (growth_rated's columns, revenue_growth_material): the columns of int_customer_economics. -#}
{% macro econ_growth_and_materiality_ctes() -%}
    growth_rated as (

        -- One yearly growth rate per customer: year on year where there was revenue a year ago, else
        -- the 3-year trend, else (a history of one year) the trend through the year against the
        -- portfolio's.
        select
            *,
            coalesce(revenue_growth_yoy, revenue_trend_3y, revenue_trend_1y) as revenue_growth,
            -- How far noise alone moves that rate (log scale): comparing two yearly totals, each a
            -- sum of 12 months (or 4 quarters, for a buyer in that rhythm) with the customer's own
            -- coefficient of variation, gives an error of CV x sqrt(2 / 12) (or sqrt(2 / 4)).
            case
                when revenue_growth_yoy is not null or revenue_trend_3y is not null
                    then least(
                        revenue_volatility * sqrt(cast(2 as double) / 12),
                        quarterly_revenue_volatility * sqrt(cast(2 as double) / 4)
                    )
                else revenue_trend_1y_error
            end as revenue_growth_error

        from measured

    ),

    final as (

        -- Materiality: a growth rate is trusted in proportion to the revenue behind it, shrunk
        -- towards the portfolio's rate (the median active customer's, robust to a few extreme
        -- rates) with the weight revenue / (revenue + k), k = the median active customer's revenue
        -- times growth_credibility_multiple.
        {%- set credibility_revenue = econ_quantile_over_all(
            'case when is_active then cast(revenue_t12m as double) end', 0.5)
            ~ ' * ' ~ var('growth_credibility_multiple') %}
        select
            *,
            cast(case
                when revenue_growth is not null and is_active then
                    (cast(revenue_t12m as double) * revenue_growth
                        + {{ credibility_revenue }}
                        * coalesce({{ econ_quantile_over_all('case when is_active then revenue_growth end', 0.5) }}, 0))
                    / (cast(revenue_t12m as double) + {{ credibility_revenue }})
            end as double) as revenue_growth_material

        from growth_rated

    )
{%- endmacro %}
