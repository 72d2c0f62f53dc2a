with

definitions as (

    select * from {{ ref('key_account_definitions') }}

),

capacity as (

    select * from {{ ref('account_manager_capacity') }}

),

unmanaged as (

    select * from {{ ref('key_accounts_without_manager') }}

),

managed_totals as (

    select
        definition_name,
        count(*) as managers,
        sum(case when key_accounts_over_capacity > 0 then 1 else 0 end) as managers_over_capacity,
        sum(key_accounts) as key_accounts_with_manager,
        sum(capacity_accounts) as capacity_accounts

    from capacity
    group by definition_name

),

unmanaged_totals as (

    select
        definition_name,
        count(*) as key_accounts_without_manager

    from unmanaged
    group by definition_name

),

final as (

    select
        definitions.definition_name,
        cast(
            coalesce(managed_totals.key_accounts_with_manager, 0)
            + coalesce(unmanaged_totals.key_accounts_without_manager, 0) as bigint
        ) as key_accounts,
        cast(coalesce(managed_totals.key_accounts_with_manager, 0) as bigint) as key_accounts_with_manager,
        cast(coalesce(unmanaged_totals.key_accounts_without_manager, 0) as bigint) as key_accounts_without_manager,
        cast(coalesce(managed_totals.managers, 0) as bigint) as managers,
        -- Without a managers file capacity is unknown, not zero.
        cast(managed_totals.managers_over_capacity as bigint) as managers_over_capacity,
        cast(managed_totals.capacity_accounts as bigint) as capacity_accounts,
        cast(managed_totals.key_accounts_with_manager as double)
        / nullif(managed_totals.capacity_accounts, 0) as capacity_used_share

    from definitions
    left join managed_totals on definitions.definition_name = managed_totals.definition_name
    left join unmanaged_totals on definitions.definition_name = unmanaged_totals.definition_name

)

select * from final
