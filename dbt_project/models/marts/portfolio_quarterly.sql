{#- The key-account portfolio at each quarter-end under each definition, and what moved since the
    quarter before: the figures of portfolio_key_accounts, quarter by quarter, from
    key_account_quarterly_history. -#}
with

history as (

    select * from {{ ref('key_account_quarterly_history') }}

),

quarters as (

    select
        definition_name,
        definition_version,
        quarter_end,
        max(previous_quarter_end) as previous_quarter_end,
        sum(case when is_key_account then 1 else 0 end) as key_accounts,
        sum(case when is_active then 1 else 0 end) as active_customers,
        sum(case when is_key_account then revenue_t12m else 0 end) as key_account_revenue_t12m,
        sum(case when is_active then revenue_t12m else 0 end) as revenue_t12m,
        sum(case when is_key_account then net_contribution_t12m end) as key_account_net_contribution_t12m,
        sum(case when is_active then net_contribution_t12m end) as net_contribution_t12m,
        sum(case when key_account_change = 'entered' then 1 else 0 end) as accounts_entered,
        sum(case when key_account_change = 'left' then 1 else 0 end) as accounts_left,
        -- Tier moves among the accounts that were key accounts in either quarter.
        sum(case when (is_key_account or was_key_account) and revenue_tier_move = 'up' then 1 else 0 end)
            as key_accounts_tier_up,
        sum(case when (is_key_account or was_key_account) and revenue_tier_move = 'down' then 1 else 0 end)
            as key_accounts_tier_down

    from history
    group by definition_name, definition_version, quarter_end

),

final as (

    select
        definition_name,
        definition_version,
        quarter_end,
        previous_quarter_end,
        cast(key_accounts as integer) as key_accounts,
        cast(active_customers as integer) as active_customers,
        cast(key_account_revenue_t12m as decimal(18, 2)) as key_account_revenue_t12m,
        cast(revenue_t12m as decimal(18, 2)) as revenue_t12m,
        -- Without key accounts their contribution is 0; with some of unknown contribution only, unknown.
        cast(case when key_accounts = 0 then 0 else key_account_net_contribution_t12m end as decimal(18, 2))
            as key_account_net_contribution_t12m,
        cast(net_contribution_t12m as decimal(18, 2)) as net_contribution_t12m,
        cast(key_account_revenue_t12m as double) / nullif(revenue_t12m, 0) as key_account_revenue_share,
        cast(case when key_accounts = 0 then 0 else key_account_net_contribution_t12m end as double)
        / nullif(net_contribution_t12m, 0) as key_account_net_contribution_share,
        -- Null in the first quarter shown: there is no quarter before it to compare with.
        case when previous_quarter_end is not null then cast(accounts_entered as integer) end as accounts_entered,
        case when previous_quarter_end is not null then cast(accounts_left as integer) end as accounts_left,
        case when previous_quarter_end is not null then cast(key_accounts_tier_up as integer) end
            as key_accounts_tier_up,
        case when previous_quarter_end is not null then cast(key_accounts_tier_down as integer) end
            as key_accounts_tier_down,
        quarter_end = max(quarter_end) over (partition by definition_name) as is_latest_quarter

    from quarters

)

select * from final
