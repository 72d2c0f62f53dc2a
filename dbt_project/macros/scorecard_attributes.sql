{#- The scorecard's attributes on the 0..100 scale and what the eligibility gates judge: the SQL of
    int_scorecard_attributes_normalised (see its .yml), a macro so the backtest and the quarter-end
    history score the portfolio as it stood then. economics, tiers, flags: the models to read; each
    reporting date in them is scaled and ranked against its own portfolio. -#}
{% macro scorecard_attributes(economics='int_customer_economics', tiers='int_customer_tiers', flags='int_customer_flags') %}
    with

    economics as (

        select * from {{ ref(economics) }}

    ),

    tiers as (

        select * from {{ ref(tiers) }}

    ),

    flags as (

        select * from {{ ref(flags) }}

    ),

    managers as (

        select * from {{ ref('stg_account_managers') }}

    ),

    active_customers as (

        select
            economics.*,
            tiers.revenue_tier,
            managers.capacity_accounts,
            -- The classic mistakes the customer shows (a flag that cannot be decided is not raised).
            (case when flags.is_big_but_unprofitable then 1 else 0 end)
                + (case when flags.is_big_revenue_one_off then 1 else 0 end)
                + (case when flags.is_easy_sell_no_growth then 1 else 0 end) as mistake_flags,
            -- Years we did business out of the years we could have, scaled down for a relationship
            -- younger than loyalty_full_tenure_years: a key-account relationship is one of three years
            -- or more, and counting calendar years alone would credit a customer whose first order came
            -- last December with two years. A tenure the export cuts short (the customer was there when
            -- it begins) is not scaled: the history cannot show it is young.
            case
                when economics.possible_years > 0 and economics.tenure_months is not null
                    then cast(economics.active_years as double) / economics.possible_years
                        * case
                            when economics.is_tenure_censored then 1.0
                            else least(
                                1.0, cast(economics.tenure_months as double) / (12 * {{ var('loyalty_full_tenure_years') }})
                            )
                        end
            end as proven_years_share

        from economics
        left join tiers
            on economics.customer_id = tiers.customer_id
            and economics.reporting_date = tiers.reporting_date
        left join flags
            on economics.customer_id = flags.customer_id
            and economics.reporting_date = flags.reporting_date
        left join managers on economics.account_manager_id = managers.account_manager_id
        where economics.is_active

    ),

    measures as (

        select
            active_customers.customer_id,
            active_customers.reporting_date,
            active_customers.account_manager_id,
            active_customers.capacity_accounts,
            active_customers.revenue_tier,
            active_customers.tenure_months,
            active_customers.is_tenure_censored,
            active_customers.contribution_t12m,
            active_customers.contribution_basis,
            active_customers.mistake_flags,
            cast(active_customers.revenue_t12m as double) as revenue_size_measure,
            cast(active_customers.contribution_t12m as double) as profitability_measure,
            cast(active_customers.contribution_margin_pct_t12m as double) as margin_quality_measure,
            -- Half the proven years, half repeat buying; either alone where the other is unknown.
            case
                when active_customers.repeat_rate is null then active_customers.proven_years_share
                when active_customers.proven_years_share is null then active_customers.repeat_rate
                else 0.5 * active_customers.proven_years_share + 0.5 * active_customers.repeat_rate
            end as loyalty_measure,
            -- Growth trusted in proportion to the revenue behind it (materiality, see the var).
            active_customers.revenue_growth_material as growth_measure,
            -- Headroom within reach of an account plan (materiality, see the var).
            cast(least(
                active_customers.wallet_headroom,
                active_customers.revenue_t12m * {{ var('headroom_max_revenue_multiple') }}
            ) as double) as wallet_headroom_measure,
            cast(active_customers.strategic_fit_score as double) as strategic_fit_measure,
            cast(active_customers.relationship_access_score as double) as relationship_access_measure

        from active_customers

    ),

    money_scales as (

        -- Log-scale bounds of the heavy-tailed money measures: the floor quantile of the positive
        -- values scores 0, the largest 100.
        select
            reporting_date,
            {{ money_scale_bounds(['revenue_size', 'profitability', 'wallet_headroom']) }}

        from measures
        group by reporting_date

    ),

    normalised as (

        -- Money on a log scale (ten times the revenue is always the same number of points; nothing or
        -- a loss scores 0); every other measure as a percentile rank: the share of active customers
        -- with a known measure that this customer beats. Unknown stays unknown (ranked in its own
        -- partition, then nulled) rather than becoming the worst value.
        select
            measures.customer_id,
            measures.reporting_date,
            measures.account_manager_id,
            measures.capacity_accounts,
            measures.revenue_tier,
            measures.tenure_months,
            measures.is_tenure_censored,
            measures.contribution_t12m,
            measures.contribution_basis,
            measures.mistake_flags,
            {% for attribute in score_attributes() %}
            measures.{{ attribute.name }}_measure,
            {% if attribute.name in ['revenue_size', 'profitability', 'wallet_headroom'] %}
            {{ money_scale_value('measures.' ~ attribute.name ~ '_measure',
                                 'money_scales.' ~ attribute.name ~ '_floor',
                                 'money_scales.' ~ attribute.name ~ '_ceiling') }}
                as {{ attribute.name }}_value{% if not loop.last %},{% endif %}
            {% else %}
            case
                when measures.{{ attribute.name }}_measure is not null
                    then 100 * percent_rank() over (
                        partition by
                            measures.reporting_date,
                            case when measures.{{ attribute.name }}_measure is null then 1 else 0 end
                        order by measures.{{ attribute.name }}_measure
                    )
            end as {{ attribute.name }}_value{% if not loop.last %},{% endif %}
            {% endif %}
            {% endfor %}

        from measures
        inner join money_scales on measures.reporting_date = money_scales.reporting_date

    )

    select * from normalised
{% endmacro %}


{#- A heavy-tailed amount on the 0..100 money scale: 0 at or below `floor` (the
    money_scale_floor_quantile of the positive values), 100 for `ceiling` (the largest), a log scale
    between, so ten times the amount is always the same number of points; null stays null. -#}
{% macro money_scale_value(measure, floor, ceiling) %}
    case
        when {{ measure }} is null then null
        when {{ measure }} <= {{ floor }} or {{ floor }} is null then 0.0
        when {{ ceiling }} <= {{ floor }} then 100.0
        -- The ratio first: the largest measure's is exactly 1, so it scores exactly 100
        -- (100 * x / x can come out a hair above 100).
        else 100 * (ln({{ measure }} / {{ floor }}) / ln({{ ceiling }} / {{ floor }}))
    end
{% endmacro %}


{#- The bounds of the money scale, as aggregates over a reporting date's customers: for each name,
    <name>_floor (the money_scale_floor_quantile of the positive <name>_measure values) and
    <name>_ceiling (the largest). -#}
{% macro money_scale_bounds(names) %}
    {%- for name in names %}
    {{ econ_quantile('case when ' ~ name ~ '_measure > 0 then ' ~ name ~ '_measure end',
                     var('money_scale_floor_quantile')) }} as {{ name }}_floor,
    max({{ name }}_measure) as {{ name }}_ceiling{% if not loop.last %},{% endif %}
    {%- endfor %}
{% endmacro %}
