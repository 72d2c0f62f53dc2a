{#- Who was a key account at each quarter-end, and what changed since the quarter before: today's
    definitions applied to the portfolio as it stood at every quarter-end (the int_quarter_end_*
    models), so the first run already shows two years of quarters, and a change of definition
    restates the whole history on the same rules. -#}
with

economics as (

    select * from {{ ref('int_quarter_end_customer_economics') }}

),

tiers as (

    select * from {{ ref('int_quarter_end_customer_tiers') }}

),

scores as (

    select * from {{ ref('int_quarter_end_scorecard_scores') }}

),

definitions as (

    select * from {{ ref('int_scorecard_definitions_versioned') }}

),

quarter_ends as (

    {{ quarter_ends_with_a_year_of_history('economics') }}

),

standing as (

    -- Every definition's view of every customer at every quarter-end: scored when active, and
    -- never a key account when not.
    select
        definitions.definition_name,
        definitions.definition_version,
        economics.customer_id,
        economics.customer_name,
        economics.account_manager_id,
        economics.reporting_date as quarter_end,
        economics.is_active,
        economics.revenue_t12m,
        economics.net_contribution_t12m,
        tiers.revenue_tier,
        tiers.contribution_tier,
        scores.score,
        scores.score_rank,
        coalesce(scores.is_key_account_computed, false) as is_key_account

    from economics
    inner join quarter_ends on economics.reporting_date = quarter_ends.quarter_end
    cross join definitions
    left join tiers
        on economics.customer_id = tiers.customer_id
        and economics.reporting_date = tiers.reporting_date
    left join scores
        on definitions.definition_name = scores.definition_name
        and economics.customer_id = scores.customer_id
        and economics.reporting_date = scores.reporting_date

),

with_previous as (

    select
        *,
        lag(quarter_end) over customer_quarters as previous_quarter_end,
        lag(is_active) over customer_quarters as was_active,
        lag(is_key_account) over customer_quarters as was_key_account,
        lag(score) over customer_quarters as previous_score,
        lag(revenue_tier) over customer_quarters as previous_revenue_tier,
        lag(contribution_tier) over customer_quarters as previous_contribution_tier

    from standing
    window customer_quarters as (partition by definition_name, customer_id order by quarter_end)

),

final as (

    select
        definition_name,
        definition_version,
        quarter_end,
        previous_quarter_end,
        customer_id,
        customer_name,
        account_manager_id,
        is_active,
        is_key_account,
        cast(score as double) as score,
        cast(score_rank as integer) as score_rank,
        revenue_tier,
        contribution_tier,
        cast(revenue_t12m as decimal(18, 2)) as revenue_t12m,
        cast(net_contribution_t12m as decimal(18, 2)) as net_contribution_t12m,
        was_key_account,
        cast(previous_score as double) as previous_score,
        previous_revenue_tier,
        previous_contribution_tier,
        case
            when previous_quarter_end is null then null
            when is_key_account and not was_key_account then 'entered'
            when was_key_account and not is_key_account then 'left'
            when is_key_account then 'stayed'
            else 'not_key_account'
        end as key_account_change,
        -- Tiers run A (the few that make 80 % of revenue) to C: a letter earlier is a move up.
        case
            when revenue_tier is null or previous_revenue_tier is null then null
            when revenue_tier < previous_revenue_tier then 'up'
            when revenue_tier > previous_revenue_tier then 'down'
            else 'same'
        end as revenue_tier_move

    from with_previous
    -- A customer appears in the quarters it was active, and in the one after, which records how it
    -- left.
    where is_active or coalesce(was_active, false)

)

select * from final
