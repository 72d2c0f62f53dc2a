with

definitions as (

    select * from {{ ref('key_account_definitions') }}

),

scorecard as (

    select * from {{ ref('key_account_scorecard') }}

),

customers as (

    select * from {{ ref('customer_metrics') }}

),

portfolio as (

    select * from {{ ref('portfolio_concentration') }}

),

key_accounts as (

    -- Key accounts after manual decisions, as every list of key accounts shows them.
    select
        scorecard.definition_name,
        count(*) as key_accounts,
        sum(customers.revenue_t12m) as key_account_revenue_t12m,
        sum(customers.net_contribution_t12m) as key_account_net_contribution_t12m

    from scorecard
    inner join customers on scorecard.customer_id = customers.customer_id
    where scorecard.is_key_account
    group by scorecard.definition_name

),

definition_totals as (

    -- A definition that picks no one has no key accounts, no revenue and no contribution: 0. Key
    -- accounts of unknown contribution (no cost known) earn an unknown amount, never a silent 0.
    select
        definitions.definition_name,
        coalesce(key_accounts.key_accounts, 0) as key_accounts,
        coalesce(key_accounts.key_account_revenue_t12m, 0) as key_account_revenue_t12m,
        case
            when key_accounts.key_accounts is null then 0 else key_accounts.key_account_net_contribution_t12m
        end as key_account_net_contribution_t12m

    from definitions
    left join key_accounts on definitions.definition_name = key_accounts.definition_name

),

final as (

    select
        definition_totals.definition_name,
        portfolio.reporting_date,
        cast(definition_totals.key_accounts as integer) as key_accounts,
        cast(definition_totals.key_account_revenue_t12m as decimal(18, 2)) as key_account_revenue_t12m,
        cast(definition_totals.key_account_net_contribution_t12m as decimal(18, 2))
            as key_account_net_contribution_t12m,
        portfolio.active_customers,
        portfolio.revenue_t12m,
        portfolio.net_contribution_t12m,
        -- Shares of a whole that is 0 (or unknown) are unknown: null, not a division by 0. The share
        -- of contribution exceeds 1 when the other customers lose money in total.
        cast(definition_totals.key_accounts as double)
        / nullif(portfolio.active_customers, 0) as key_account_share_of_active_customers,
        cast(definition_totals.key_account_revenue_t12m as double)
        / nullif(portfolio.revenue_t12m, 0) as key_account_revenue_share,
        cast(definition_totals.key_account_net_contribution_t12m as double)
        / nullif(portfolio.net_contribution_t12m, 0) as key_account_net_contribution_share

    from definition_totals
    cross join portfolio

)

select * from final
