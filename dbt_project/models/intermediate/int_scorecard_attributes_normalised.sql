with

economics as (

    select * from {{ ref('int_customer_economics') }}

),

active_customers as (

    select
        *,
        -- Years we did business out of the years we could have, scaled down for a relationship
        -- younger than loyalty_full_tenure_years: a key-account relationship is one of three years
        -- or more, and counting calendar years alone would credit a customer whose first order came
        -- last December with two years.
        case
            when possible_years > 0 and tenure_months is not null
                then cast(active_years as double) / possible_years
                    * least(1.0, tenure_months / (12.0 * {{ var('loyalty_full_tenure_years') }}))
        end as proven_years_share

    from economics
    where is_active

),

measures as (

    select
        customer_id,
        cast(revenue_t12m as double) as revenue_size_measure,
        cast(net_contribution_t12m as double) as profitability_measure,
        cast(net_margin_pct_t12m as double) as margin_quality_measure,
        -- Half the proven years, half repeat buying; either alone where the other is unknown.
        case
            when repeat_rate is null then proven_years_share
            when proven_years_share is null then repeat_rate
            else 0.5 * proven_years_share + 0.5 * repeat_rate
        end as loyalty_measure,
        -- Year on year where there was revenue a year ago, else the multi-year trend: both are
        -- relative yearly rates, and the percentile rank below only compares their order.
        cast(coalesce(revenue_growth_yoy, revenue_trend_3y) as double) as growth_measure,
        cast(wallet_headroom as double) as wallet_headroom_measure,
        cast(strategic_fit_score as double) as strategic_fit_measure,
        cast(relationship_access_score as double) as relationship_access_measure

    from active_customers

),

normalised as (

    -- Percentile rank: the share of active customers with a known measure that this customer
    -- beats, so one giant account cannot squash everyone else towards zero. Unknown stays unknown
    -- (ranked in its own partition, then nulled) rather than becoming the worst value.
    select
        customer_id,
        {% for attribute in score_attributes() %}
        {{ attribute.name }}_measure,
        case
            when {{ attribute.name }}_measure is not null
                then 100 * percent_rank() over (
                    partition by case when {{ attribute.name }}_measure is null then 1 else 0 end
                    order by {{ attribute.name }}_measure
                )
        end as {{ attribute.name }}_value{% if not loop.last %},{% endif %}
        {% endfor %}

    from measures

)

select * from normalised
