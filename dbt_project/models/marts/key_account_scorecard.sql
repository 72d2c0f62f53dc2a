with

selections as (

    select * from {{ ref('int_scorecard_selections') }}

),

scores as (

    select * from {{ ref('int_scorecard_scores') }}

),

tiers as (

    select * from {{ ref('int_customer_tiers') }}

),

flags as (

    select * from {{ ref('int_customer_flags') }}

),

final as (

    select
        selections.customer_id,
        selections.customer_name,
        selections.account_manager_id,
        selections.reporting_date,
        selections.definition_name,
        selections.definition_version,
        selections.selection_rule,
        selections.score,
        selections.score_rank,
        selections.excluded_by_gate,
        selections.is_key_account_computed,
        selections.is_development_account,
        selections.override_status,
        selections.override_reason,
        selections.override_expires_on,
        selections.is_key_account,
        tiers.revenue_tier,
        tiers.contribution_tier,
        flags.is_big_but_unprofitable,
        flags.is_big_revenue_one_off,
        flags.is_easy_sell_no_growth,
        flags.is_tomorrows_oak,
        {% for attribute in score_attributes() %}
        scores.{{ attribute.name }}_value,
        scores.{{ attribute.name }}_weight,
        scores.{{ attribute.name }}_contribution,
        {% endfor %}
        scores.known_weight_share

    from selections
    inner join scores
        on selections.definition_name = scores.definition_name
        and selections.customer_id = scores.customer_id
    left join tiers on selections.customer_id = tiers.customer_id
    left join flags on selections.customer_id = flags.customer_id

)

select * from final
