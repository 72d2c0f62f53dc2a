{#- Plan against actual summed over a list of accounts, for every list the dashboard offers: the key
    accounts of each definition or every account with a plan, of one manager or of all. The sums
    and the attainment of the sums are computed here, once, rather than in the page. -#}
with

plans as (

    -- The plan's own columns: the performance mart's definition_name (the cadence definition's)
    -- would stand beside the list's below, which Spark refuses as ambiguous.
    select
        customer_id,
        account_manager_id,
        period_start,
        period_end,
        period_status,
        is_below_plan,
        target_revenue_to_date,
        actual_revenue,
        target_gross_margin_to_date,
        actual_gross_margin
    from {{ ref('account_plan_performance') }}

),

key_accounts as (

    select * from {{ ref('key_account_scorecard') }}
    where is_key_account

),

listed_plans as (

    -- Each plan once for "every account with a plan" (no definition), and once more for every
    -- definition that counts its customer as a key account.
    select
        cast(null as {{ dbt.type_string() }}) as definition_name,
        plans.*
    from plans

    union all

    select
        key_accounts.definition_name,
        plans.*
    from plans
    inner join key_accounts on plans.customer_id = key_accounts.customer_id

),

summed as (

    select
        definition_name,
        account_manager_id,
        grouping(account_manager_id) = 1 as is_every_manager,
        period_start,
        period_end,
        period_status,
        count(*) as accounts,
        sum(case when is_below_plan then 1 else 0 end) as accounts_below_plan,
        sum(target_revenue_to_date) as target_revenue_to_date,
        sum(actual_revenue) as actual_revenue,
        sum(target_gross_margin_to_date) as target_gross_margin_to_date,
        sum(actual_gross_margin) as actual_gross_margin

    from listed_plans
    group by grouping sets (  -- noqa: PRS
        (definition_name, period_start, period_end, period_status, account_manager_id),
        (definition_name, period_start, period_end, period_status)
    )

),

final as (

    select
        definition_name,
        account_manager_id,
        period_start,
        period_end,
        period_status,
        cast(accounts as bigint) as accounts,
        cast(accounts_below_plan as bigint) as accounts_below_plan,
        cast(target_revenue_to_date as decimal(18, 2)) as target_revenue_to_date,
        cast(actual_revenue as decimal(18, 2)) as actual_revenue,
        cast(actual_revenue as double) / nullif(cast(target_revenue_to_date as double), 0) as revenue_attainment,
        cast(target_gross_margin_to_date as decimal(18, 2)) as target_gross_margin_to_date,
        cast(actual_gross_margin as decimal(18, 2)) as actual_gross_margin

    from summed
    -- The plans of accounts without a manager count towards every manager's total only: a row of
    -- their own would read as that total.
    where is_every_manager or account_manager_id is not null

)

select * from final
