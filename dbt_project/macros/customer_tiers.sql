{#- Pareto tiers on revenue and on contribution: the SQL of int_customer_tiers (see its .yml), a
    macro so the backtest and the quarter-end history tier the portfolio as it stood then.
    economics: the economics model. Tiers are drawn within each reporting date of `economics`, so a
    model holding several dates (the quarter-ends) gets each date's own tiers. -#}
{% macro customer_tiers(economics='int_customer_economics') %}
    with

    economics as (

        select * from {{ ref(economics) }}

    ),

    active_customers as (

        select
            customer_id,
            reporting_date,
            revenue_t12m,
            net_contribution_t12m,
            -- Loss-making accounts do not "make" any of the profit, so the contribution Pareto runs on
            -- the positive part only; an unknown contribution (no costed line) counts as none.
            case
                when net_contribution_t12m > 0 then net_contribution_t12m
                else 0
            end as positive_contribution_t12m

        from economics
        where is_active

    ),

    ranked as (

        select
            customer_id,
            reporting_date,
            revenue_t12m,
            net_contribution_t12m,
            positive_contribution_t12m,

            -- Ranks are bigint on every engine (Spark's row_number is an int).
            cast(row_number() over (partition by reporting_date order by revenue_t12m desc, customer_id) as bigint)
                as revenue_rank,
            sum(revenue_t12m) over (
                partition by reporting_date
                order by revenue_t12m desc, customer_id rows between unbounded preceding and current row
            ) as revenue_cumulative,
            sum(revenue_t12m) over (partition by reporting_date) as revenue_total,

            cast(row_number() over (
                partition by reporting_date order by net_contribution_t12m desc nulls last, customer_id
            ) as bigint) as contribution_rank,
            sum(positive_contribution_t12m) over (
                partition by reporting_date
                order by net_contribution_t12m desc nulls last, customer_id
                rows between unbounded preceding and current row
            ) as contribution_cumulative,
            sum(positive_contribution_t12m) over (partition by reporting_date) as contribution_total,
            count(net_contribution_t12m) over (partition by reporting_date) as known_contributions

        from active_customers

    ),

    tiered as (

        select
            customer_id,
            reporting_date,
            revenue_rank,
            cast(revenue_cumulative as double) / revenue_total as revenue_cumulative_share,
            -- The share before the customer decides, on exact decimals: the customer that crosses the
            -- cut-off still belongs to the tier it helps complete.
            case
                when revenue_cumulative - revenue_t12m < {{ var('pareto_a_cutoff') }} * revenue_total then 'A'
                when revenue_cumulative - revenue_t12m < {{ var('pareto_b_cutoff') }} * revenue_total then 'B'
                else 'C'
            end as revenue_tier,
            -- Without any known contribution (no service costs at all) there is nothing to tier: the
            -- contribution tiers stay empty rather than put every customer in C.
            case when known_contributions > 0 then contribution_rank end as contribution_rank,
            case
                when known_contributions > 0
                    then cast(contribution_cumulative as double) / nullif(contribution_total, 0)
            end as contribution_cumulative_share,
            case
                when known_contributions = 0 then null
                when positive_contribution_t12m = 0 then 'C'
                when contribution_cumulative - positive_contribution_t12m
                    < {{ var('pareto_a_cutoff') }} * contribution_total then 'A'
                when contribution_cumulative - positive_contribution_t12m
                    < {{ var('pareto_b_cutoff') }} * contribution_total then 'B'
                else 'C'
            end as contribution_tier

        from ranked

    ),

    final as (

        select
            economics.customer_id,
            economics.reporting_date,
            tiered.revenue_rank,
            tiered.revenue_cumulative_share,
            tiered.revenue_tier,
            tiered.contribution_rank,
            tiered.contribution_cumulative_share,
            tiered.contribution_tier

        from economics
        left join tiered
            on economics.customer_id = tiered.customer_id
            and economics.reporting_date = tiered.reporting_date

    )

    select * from final
{% endmacro %}
