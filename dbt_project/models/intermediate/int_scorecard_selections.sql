with

scores as (

    select * from {{ ref('int_scorecard_scores') }}

),

definitions as (

    select * from {{ ref('int_scorecard_definitions_versioned') }}

),

economics as (

    select * from {{ ref('int_customer_economics') }}

),

flags as (

    select * from {{ ref('int_customer_flags') }}

),

overrides as (

    select * from {{ ref('stg_account_overrides') }}

),

selected as (

    select
        scores.definition_name,
        scores.customer_id,
        economics.customer_name,
        economics.account_manager_id,
        economics.reporting_date,
        definitions.definition_version,
        definitions.selection_rule,
        scores.score,
        scores.score_rank,
        scores.excluded_by_gate,
        scores.is_key_account_computed,
        -- Tomorrow's oaks the definition does not pick go to the development list: accounts to
        -- grow into key accounts, shown beside them.
        coalesce(flags.is_tomorrows_oak and not scores.is_key_account_computed, false)
            as is_development_account

    from scores
    inner join definitions on scores.definition_name = definitions.definition_name
    inner join economics on scores.customer_id = economics.customer_id
    left join flags on scores.customer_id = flags.customer_id

),

overridden as (

    select
        selected.*,
        overrides.forced_status as override_status,
        overrides.reason as override_reason,
        overrides.expires_on as override_expires_on

    from selected
    -- An expired decision is ignored: the computed status applies again. No expiry date means
    -- the decision holds until withdrawn.
    left join overrides
        on selected.customer_id = overrides.customer_id
        and (overrides.expires_on is null or overrides.expires_on >= selected.reporting_date)

),

final as (

    select
        customer_id,
        customer_name,
        account_manager_id,
        reporting_date,
        definition_name,
        definition_version,
        selection_rule,
        score,
        score_rank,
        excluded_by_gate,
        is_key_account_computed,
        is_development_account,
        override_status,
        override_reason,
        override_expires_on,
        case override_status
            when 'key' then true
            when 'not_key' then false
            else is_key_account_computed
        end as is_key_account

    from overridden

)

select * from final
