{#- What a quarterly key-account review goes through, account by account, with what was decided:
    the exit-review candidates, the big-but-unprofitable and tomorrow's oaks, and the key accounts
    without a plan (under the cadence definition), each with the latest decision recorded on it
    (an owner and the next review date, from the review-decisions store beside the warehouse). -#}
with

customers as (

    select * from {{ ref('customer_metrics') }}

),

scorecard as (

    select * from {{ ref('key_account_scorecard') }}

),

exit_candidates as (

    select * from {{ ref('exit_review_candidates') }}

),

plans as (

    select * from {{ ref('account_plan_performance') }}

),

managers as (

    select * from {{ ref('account_managers') }}

),

decisions as (

    select * from {{ ref('stg_review_decisions') }}

),

cadence_key_accounts as (

    select customer_id
    from scorecard
    where definition_name = '{{ var("cadence_definition") }}' and is_key_account

),

planned_customers as (

    -- A plan has a row per period; a customer with any plan has one.
    select distinct customer_id
    from plans

),

topics as (

    select
        customer_id,
        'exit_candidate' as review_topic,
        exit_review_reason as reason

    from exit_candidates

    union all

    select
        customer_id,
        'big_but_unprofitable' as review_topic,
        big_but_unprofitable_reason as reason

    from customers
    where is_big_but_unprofitable

    union all

    select
        customer_id,
        'tomorrows_oak' as review_topic,
        tomorrows_oak_reason as reason

    from customers
    where is_tomorrows_oak

    union all

    select
        cadence_key_accounts.customer_id,
        'key_account_without_plan' as review_topic,
        {{ dbt.concat([
            "'A key account under '",
            "'" ~ var('cadence_definition') ~ "'",
            "' without an account plan: nothing judges it against a target'",
        ]) }} as reason

    from cadence_key_accounts
    left join planned_customers on cadence_key_accounts.customer_id = planned_customers.customer_id
    where planned_customers.customer_id is null

),

final as (

    select
        topics.customer_id,
        topics.review_topic,
        customers.customer_name,
        customers.account_manager_id,
        managers.manager_name as account_manager_name,
        customers.reporting_date,
        cast(customers.revenue_t12m as decimal(18, 2)) as revenue_t12m,
        cast(customers.net_contribution_t12m as decimal(18, 2)) as net_contribution_t12m,
        topics.customer_id in (select cadence_key_accounts.customer_id from cadence_key_accounts)
            as is_key_account,
        topics.reason,
        decisions.owner,
        decisions.next_review_on,
        decisions.note,
        decisions.decided_by,
        decisions.decided_at,
        cast(coalesce(decisions.decisions_recorded, 0) as integer) as decisions_recorded,
        -- Due when nobody owns it yet, or its next review date has come.
        coalesce(decisions.next_review_on <= customers.reporting_date, true) as is_review_due

    from topics
    inner join customers on topics.customer_id = customers.customer_id
    left join managers on customers.account_manager_id = managers.account_manager_id
    left join decisions
        on topics.customer_id = decisions.customer_id
        and topics.review_topic = decisions.review_topic

)

select * from final
