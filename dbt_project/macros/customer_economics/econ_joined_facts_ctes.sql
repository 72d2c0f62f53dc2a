{#- Every concern's facts on one row per customer of stg_customers, with the reporting window's
    dates: a missing fact becomes a true zero where nothing happened and stays null where it is
    unknown.
    Produces joined: the customer's attributes, reporting_window's dates and coverage, and the
    facts of day_facts, gap_facts, month_facts, quarter_facts, repeat_facts, wallet_facts,
    latest_assessments and service_facts. -#}
{% macro econ_joined_facts_ctes() -%}
    joined as (

        select
            customers.customer_id,
            customers.customer_name,
            customers.industry,
            customers.region,
            customers.size_band,
            customers.account_manager_id,
            reporting_window.reporting_date,
            reporting_window.reporting_month,
            reporting_window.reporting_year,
            reporting_window.covers_t12m,
            reporting_window.covers_prior_t12m,
            reporting_window.covers_third_t12m,
            reporting_window.history_start,
            reporting_window.history_months,
            reporting_window.tenure_censored_before,
            reporting_window.volatility_window_start,
            day_facts.first_order_date,
            cast({{ dbt.date_trunc('month', 'day_facts.first_order_date') }} as date) as first_order_month,
            day_facts.last_order_date,
            coalesce(day_facts.revenue_lifetime, 0) as revenue_lifetime,
            coalesce(day_facts.revenue_t12m, 0) as revenue_t12m,
            coalesce(day_facts.revenue_prior_t12m, 0) as revenue_prior_t12m,
            coalesce(day_facts.revenue_third_t12m, 0) as revenue_third_t12m,
            coalesce(day_facts.revenue_costed_t12m, 0) as revenue_costed_t12m,
            coalesce(day_facts.revenue_volume_t12m, 0) as revenue_volume_t12m,
            coalesce(day_facts.revenue_volume_costed_t12m, 0) as revenue_volume_costed_t12m,
            -- No lines: nothing sold, a true zero margin. Lines but none costed: unknown.
            case
                when coalesce(day_facts.line_count_t12m, 0) = 0 then 0
                else day_facts.costed_gross_margin_t12m
            end as gross_margin_t12m,
            case
                when coalesce(day_facts.line_count_prior_t12m, 0) = 0 then 0
                else day_facts.costed_gross_margin_prior_t12m
            end as gross_margin_prior_t12m,
            case
                when service_cost_input.has_service_costs
                    then coalesce(service_facts.cost_to_serve_t12m, 0)
            end as cost_to_serve_t12m,
            coalesce(day_facts.order_count_t12m, 0) as order_count_t12m,
            coalesce(day_facts.order_count_lifetime, 0) as order_count_lifetime,
            gap_facts.order_day_count,
            gap_facts.median_gap_days,
            coalesce(month_facts.active_months_t12m, 0) as active_months_t12m,
            month_facts.revenue_24m,
            month_facts.revenue_squared_24m,
            month_facts.trend_slope_12m,
            coalesce(month_facts.trend_months_12m, 0) as trend_months_12m,
            month_facts.trend_sxx_12m,
            month_facts.trend_syy_12m,
            coalesce(quarter_facts.active_quarters_t12m, 0) as active_quarters_t12m,
            quarter_facts.revenue_8q,
            quarter_facts.revenue_squared_8q,
            repeat_facts.active_month_count,
            repeat_facts.repeat_month_count,
            coalesce(wallet_facts.active_years, 0) as active_years,
            wallet_facts.wallet_year,
            wallet_facts.yearly_wallet,
            wallet_facts.wallet_source,
            latest_assessments.executive_access,
            latest_assessments.decision_access,
            latest_assessments.cultural_fit,
            latest_assessments.strategic_alignment,
            latest_assessments.assessed_on

        from customers
        cross join reporting_window
        cross join service_cost_input
        left join day_facts on customers.customer_id = day_facts.customer_id
        left join gap_facts on customers.customer_id = gap_facts.customer_id
        left join month_facts on customers.customer_id = month_facts.customer_id
        left join quarter_facts on customers.customer_id = quarter_facts.customer_id
        left join repeat_facts on customers.customer_id = repeat_facts.customer_id
        left join wallet_facts on customers.customer_id = wallet_facts.customer_id
        left join latest_assessments on customers.customer_id = latest_assessments.customer_id
        left join service_facts on customers.customer_id = service_facts.customer_id

    )
{%- endmacro %}
