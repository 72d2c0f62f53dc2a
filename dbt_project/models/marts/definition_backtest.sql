with

picks_then as (

    select * from {{ ref('int_backtest_scorecard_scores') }}

),

economics_then as (

    select * from {{ ref('int_backtest_customer_economics') }}

),

economics_now as (

    select * from {{ ref('int_customer_economics') }}

),

backtest as (

    -- A backtest needs a full year of history before its date: the T12M figures it scores on.
    select
        max(economics_then.reporting_date) as backtest_date,
        max(economics_now.reporting_date) as reporting_date,
        coalesce(
            min(economics_then.first_order_date)
            <= {{ dbt.dateadd('day', 1, dbt.dateadd('month', -12, 'max(economics_then.reporting_date)')) }},
            false
        ) as has_history

    from economics_then
    cross join (select max(reporting_date) as reporting_date from economics_now) as economics_now  -- noqa: ST05

),

definition_picks as (

    select
        definition_name,
        definition_version,
        customer_id

    from picks_then
    where is_key_account_computed

),

pick_counts as (

    select
        definition_name,
        definition_version,
        count(*) as accounts_picked

    from definition_picks
    group by definition_name, definition_version

),

revenue_ranked as (

    select
        customer_id,
        cast(row_number() over (order by revenue_t12m desc, customer_id asc) as bigint) as revenue_rank

    from economics_then
    where is_active

),

all_picks as (

    -- Each definition's picks, and beside them as many customers picked by revenue alone.
    select
        definition_name,
        'definition' as picked_by,
        customer_id

    from definition_picks

    union all

    select
        pick_counts.definition_name,
        'revenue_ranking' as picked_by,
        revenue_ranked.customer_id

    from pick_counts
    inner join revenue_ranked on revenue_ranked.revenue_rank <= pick_counts.accounts_picked

),

portfolio_now as (

    select sum(contribution_t12m) as contribution_total
    from economics_now
    where is_active

),

outcomes as (

    -- What then happened to the picks over the following months, up to the reporting date.
    select
        all_picks.definition_name,
        all_picks.picked_by,
        avg(case when economics_now.is_active then cast(1 as double) else 0 end) as retained_share,
        cast(sum(economics_now.revenue_t12m) as double) / nullif(sum(economics_then.revenue_t12m), 0) - 1
            as revenue_growth,
        sum(economics_now.contribution_t12m) as contribution_after,
        cast(sum(economics_now.contribution_t12m) as double) / nullif(max(portfolio_now.contribution_total), 0)
            as profit_share

    from all_picks
    inner join economics_then on all_picks.customer_id = economics_then.customer_id
    inner join economics_now on all_picks.customer_id = economics_now.customer_id
    cross join portfolio_now
    group by all_picks.definition_name, all_picks.picked_by

),

final as (

    select
        pick_counts.definition_name,
        pick_counts.definition_version,
        backtest.backtest_date,
        backtest.reporting_date,
        cast(pick_counts.accounts_picked as integer) as accounts_picked,
        cast(chosen.retained_share as double) as retained_share,
        cast(chosen.revenue_growth as double) as revenue_growth,
        cast(chosen.contribution_after as decimal(18, 2)) as contribution_after,
        cast(chosen.profit_share as double) as profit_share,
        cast(by_revenue.retained_share as double) as revenue_ranking_retained_share,
        cast(by_revenue.revenue_growth as double) as revenue_ranking_revenue_growth,
        cast(by_revenue.contribution_after as decimal(18, 2)) as revenue_ranking_contribution_after,
        cast(by_revenue.profit_share as double) as revenue_ranking_profit_share

    from pick_counts
    cross join backtest
    inner join outcomes as chosen
        on pick_counts.definition_name = chosen.definition_name and chosen.picked_by = 'definition'
    inner join outcomes as by_revenue
        on pick_counts.definition_name = by_revenue.definition_name
        and by_revenue.picked_by = 'revenue_ranking'
    where backtest.has_history

)

select * from final
