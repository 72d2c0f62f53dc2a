with

plan_performance as (

    select * from {{ ref('account_plan_performance') }}

),

key_accounts as (

    select * from {{ ref('key_account_scorecard') }}
    where definition_name = '{{ var("cadence_definition") }}'
        and is_key_account

),

closed_periods as (

    -- Only finished periods count: an in-progress period can still be caught up.
    select * from plan_performance
    where period_status = 'closed'

),

plan_history as (

    -- A period with no revenue target cannot be judged and so ends a run of misses, as a period
    -- on plan does.
    select
        customer_id,
        count(*) as closed_periods,
        max(period_end) as latest_closed_period_end,
        max(case when not coalesce(is_below_plan, false) then period_end end) as last_on_plan_period_end

    from closed_periods
    group by customer_id

),

misses_in_a_row as (

    -- The run of misses is every closed period after the last one on plan.
    select
        closed_periods.customer_id,
        count(*) as consecutive_periods_below_plan

    from closed_periods
    inner join plan_history on closed_periods.customer_id = plan_history.customer_id
    where plan_history.last_on_plan_period_end is null
        or closed_periods.period_end > plan_history.last_on_plan_period_end
    group by closed_periods.customer_id

),

latest_period as (

    select
        closed_periods.customer_id,
        closed_periods.revenue_attainment as latest_revenue_attainment,
        closed_periods.margin_attainment as latest_margin_attainment

    from closed_periods
    inner join plan_history
        on closed_periods.customer_id = plan_history.customer_id
        and closed_periods.period_end = plan_history.latest_closed_period_end

),

assessed as (

    select
        key_accounts.customer_id,
        key_accounts.customer_name,
        key_accounts.account_manager_id,
        key_accounts.reporting_date,
        key_accounts.definition_name,
        key_accounts.definition_version,
        key_accounts.score,
        key_accounts.score_rank,
        key_accounts.override_status,
        coalesce(plan_history.closed_periods, 0) as closed_periods,
        coalesce(misses_in_a_row.consecutive_periods_below_plan, 0) as consecutive_periods_below_plan,
        plan_history.latest_closed_period_end,
        latest_period.latest_revenue_attainment,
        latest_period.latest_margin_attainment,
        coalesce(misses_in_a_row.consecutive_periods_below_plan, 0)
        >= {{ var('exit_review_min_periods_below_plan') }} as is_below_plan_repeatedly,
        coalesce(key_accounts.score < {{ var('exit_review_min_score') }}, false) as is_below_min_score

    from key_accounts
    left join plan_history on key_accounts.customer_id = plan_history.customer_id
    left join misses_in_a_row on key_accounts.customer_id = misses_in_a_row.customer_id
    left join latest_period on key_accounts.customer_id = latest_period.customer_id

),

final as (

    select
        *,
        {%- set plan_reason = dbt.concat([
            "'Below plan in the last '", flag_to_text('consecutive_periods_below_plan'),
            "' closed periods (latest, to '", flag_to_text('latest_closed_period_end'), "': '",
            "coalesce(" ~ flag_format_percent('latest_revenue_attainment', 0) ~ ", 'n/a')",
            "' of the revenue target)'",
        ]) %}
        {#- Rounded down, so a score of 39.96 does not read "40.0 under the minimum of 40". #}
        {%- set score_reason = dbt.concat([
            "'Score '", flag_format_number('floor(score * 10) / 10', 1),
            "' under the minimum of " ~ var('exit_review_min_score') ~ "'",
        ]) %}
        case
            when is_below_plan_repeatedly and is_below_min_score
                then {{ dbt.concat([plan_reason, "'; '", score_reason]) }}
            when is_below_plan_repeatedly then {{ plan_reason }}
            else {{ score_reason }}
        end as exit_review_reason

    from assessed
    where is_below_plan_repeatedly or is_below_min_score

)

select * from final
