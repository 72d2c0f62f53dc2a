with

snapshot as (

    select * from {{ ref('key_account_scorecard_snapshot') }}

),

states as (

    -- A customer who dropped out of the scorecard (no revenue in the last 12 months) is recorded
    -- with its last values and dbt_is_deleted; for the history it is off the list and in no tier.
    select
        customer_id,
        customer_name,
        definition_name,
        definition_version,
        reporting_date,
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        coalesce(dbt_is_deleted = 'True', false) as is_out_of_scorecard,
        case when dbt_is_deleted = 'True' then false else is_key_account end as is_key_account,
        case when dbt_is_deleted = 'True' then null else revenue_tier end as revenue_tier,
        case when dbt_is_deleted = 'True' then null else contribution_tier end as contribution_tier

    from snapshot

),

with_previous as (

    select
        *,
        row_number() over (
            partition by customer_id, definition_name order by valid_from
        ) as state_number,
        lag(is_key_account) over (
            partition by customer_id, definition_name order by valid_from
        ) as previous_is_key_account,
        lag(revenue_tier) over (
            partition by customer_id, definition_name order by valid_from
        ) as previous_revenue_tier,
        lag(contribution_tier) over (
            partition by customer_id, definition_name order by valid_from
        ) as previous_contribution_tier

    from states

),

final as (

    select
        customer_id,
        customer_name,
        definition_name,
        definition_version,
        reporting_date,
        valid_from,
        valid_to,
        is_key_account,
        revenue_tier,
        contribution_tier,
        is_out_of_scorecard,
        case
            when state_number = 1 then 'first_seen'
            when is_key_account and not previous_is_key_account then 'entered'
            when not is_key_account and previous_is_key_account then 'left'
            else 'tier_change'
        end as change,
        previous_is_key_account,
        previous_revenue_tier,
        previous_contribution_tier

    from with_previous

)

select * from final
