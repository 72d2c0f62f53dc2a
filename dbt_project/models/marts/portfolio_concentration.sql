with

economics as (

    select * from {{ ref('int_customer_economics') }}

),

tiers as (

    select * from {{ ref('int_customer_tiers') }}

),

active_customers as (

    select
        economics.reporting_date,
        economics.revenue_t12m,
        economics.net_contribution_t12m,
        economics.margin_coverage_t12m,
        -- Concentration of profit is measured on the positive part, as the contribution tiers are:
        -- squared shares of a total that losses shrink would overstate dependency without bound.
        case
            when economics.net_contribution_t12m > 0 then economics.net_contribution_t12m else 0
        end as positive_contribution,
        tiers.revenue_rank,
        tiers.contribution_rank

    from economics
    inner join tiers on economics.customer_id = tiers.customer_id
    where economics.is_active

),

customer_count as (

    -- Every customer in the data, active or not: the portfolio the active ones are part of.
    select count(*) as customers
    from economics

),

totals as (

    select
        max(reporting_date) as reporting_date,
        count(*) as active_customers,
        sum(revenue_t12m) as revenue_total,
        sum(net_contribution_t12m) as net_contribution_total,
        sum(positive_contribution) as positive_contribution_total,
        sum(case when net_contribution_t12m < 0 then 1 else 0 end) as loss_making_customers,
        sum(revenue_t12m * coalesce(margin_coverage_t12m, 0)) as costed_revenue

    from active_customers

),

shares as (

    select
        active_customers.revenue_rank,
        active_customers.contribution_rank,
        cast(active_customers.revenue_t12m as double) / nullif(totals.revenue_total, 0) as revenue_share,
        cast(active_customers.positive_contribution as double)
        / nullif(totals.positive_contribution_total, 0) as contribution_share,
        -- At least one customer, however small the portfolio.
        ceiling({{ var('concentration_top_share') }} * totals.active_customers) as top_customers

    from active_customers
    cross join totals

),

concentration as (

    select
        max(top_customers) as top_customers,
        sum(case when revenue_rank <= top_customers then revenue_share else 0 end)
            as top_customers_revenue_share,
        sum(revenue_share * revenue_share) as revenue_herfindahl,
        max(revenue_share) as largest_customer_revenue_share,
        sum(case when contribution_rank <= top_customers then contribution_share end)
            as top_customers_contribution_share,
        sum(contribution_share * contribution_share) as contribution_herfindahl,
        max(contribution_share) as largest_customer_contribution_share

    from shares

),

final as (

    select
        totals.reporting_date,
        cast(customer_count.customers as integer) as customers,
        cast(totals.active_customers as integer) as active_customers,
        cast(totals.revenue_total as decimal(18, 2)) as revenue_t12m,
        cast({{ var('concentration_top_share') }} as double) as top_customers_share,
        cast(concentration.top_customers as integer) as top_customers,
        concentration.top_customers_revenue_share,
        concentration.revenue_herfindahl,
        concentration.largest_customer_revenue_share,
        cast(totals.net_contribution_total as decimal(18, 2)) as net_contribution_t12m,
        cast(totals.positive_contribution_total as decimal(18, 2)) as positive_contribution_t12m,
        cast(totals.loss_making_customers as integer) as loss_making_customers,
        concentration.top_customers_contribution_share,
        concentration.contribution_herfindahl,
        concentration.largest_customer_contribution_share,
        cast(totals.costed_revenue as double) / nullif(totals.revenue_total, 0) as margin_coverage_t12m,
        cast('{{ var("currency") | upper }}' as {{ dbt.type_string() }}) as currency,
        cast('{{ currency_symbol() }}' as {{ dbt.type_string() }}) as currency_symbol

    from totals
    cross join concentration
    cross join customer_count

)

select * from final
