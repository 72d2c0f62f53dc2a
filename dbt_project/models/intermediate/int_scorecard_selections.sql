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

managers as (

    select * from {{ ref('stg_account_managers') }}

),

overrides as (

    select * from {{ ref('stg_account_overrides') }}

),

ranked as (

    select
        scores.definition_name,
        scores.customer_id,
        economics.customer_name,
        economics.account_manager_id,
        economics.reporting_date,
        definitions.definition_version,
        definitions.selection_rule,
        definitions.top_share,
        definitions.top_n,
        definitions.min_score,
        managers.capacity_accounts,
        scores.score,
        row_number() over (
            partition by scores.definition_name
            order by scores.score desc nulls last, scores.customer_id
        ) as score_rank,
        count(*) over (partition by scores.definition_name) as active_customers,
        row_number() over (
            partition by scores.definition_name, economics.account_manager_id
            order by scores.score desc nulls last, scores.customer_id
        ) as manager_rank

    from scores
    inner join definitions on scores.definition_name = definitions.definition_name
    inner join economics on scores.customer_id = economics.customer_id
    left join managers on economics.account_manager_id = managers.account_manager_id

),

selected as (

    select
        *,
        coalesce(score is not null and case selection_rule
            -- On exact decimals: 4 % of 1,775 is 71 customers, not 72 by a rounding error.
            when 'top_share' then score_rank <= ceiling(cast(top_share as decimal(18, 6)) * active_customers)
            when 'top_n' then score_rank <= top_n
            when 'score_threshold' then score >= min_score
            -- Capacity is what a named manager can carry: no manager (or one missing from the
            -- managers file) means nobody to carry the account.
            when 'manager_capacity' then account_manager_id is not null and manager_rank <= capacity_accounts
        end, false) as is_key_account_computed

    from ranked

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
        is_key_account_computed,
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
