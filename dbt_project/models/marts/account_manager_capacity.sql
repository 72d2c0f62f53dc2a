with

definitions as (

    select * from {{ ref('key_account_definitions') }}

),

managers as (

    select * from {{ ref('account_managers') }}
    where is_in_managers_file

),

scorecard as (

    select * from {{ ref('key_account_scorecard') }}

),

customers as (

    select * from {{ ref('customer_metrics') }}

),

carried as (

    -- Key accounts after manual decisions: an account kept key by decision takes up capacity too.
    select
        scorecard.definition_name,
        scorecard.account_manager_id,
        count(*) as key_accounts,
        sum(customers.revenue_t12m) as key_account_revenue_t12m,
        sum(customers.net_contribution_t12m) as key_account_net_contribution_t12m

    from scorecard
    inner join customers on scorecard.customer_id = customers.customer_id
    where scorecard.is_key_account
        and scorecard.account_manager_id is not null
    group by scorecard.definition_name, scorecard.account_manager_id

),

final as (

    select
        definitions.definition_name,
        managers.account_manager_id,
        managers.manager_name,
        managers.capacity_accounts,
        coalesce(carried.key_accounts, 0) as key_accounts,
        coalesce(carried.key_accounts, 0) - managers.capacity_accounts as key_accounts_over_capacity,
        -- A manager who can carry no key account has no share to use: null, not a division by 0.
        cast(coalesce(carried.key_accounts, 0) as double)
        / nullif(managers.capacity_accounts, 0) as capacity_used_share,
        cast(coalesce(carried.key_account_revenue_t12m, 0) as decimal(18, 2)) as key_account_revenue_t12m,
        -- No key accounts earn nothing; key accounts of unknown contribution (no service costs)
        -- earn an unknown amount, never a silent 0.
        cast(
            case when carried.key_accounts is null then 0 else carried.key_account_net_contribution_t12m end
            as decimal(18, 2)
        ) as key_account_net_contribution_t12m

    from definitions
    cross join managers
    left join carried
        on definitions.definition_name = carried.definition_name
        and managers.account_manager_id = carried.account_manager_id

)

select * from final
