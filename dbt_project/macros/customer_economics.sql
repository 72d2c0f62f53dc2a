{#- One customer's economics as of a reporting date: the SQL of int_customer_economics (see its
    .yml for every column), kept in a macro so the backtest computes the portfolio as it stood
    `months_back` months earlier with the very same code (int_backtest_customer_economics).

    months_back: 0 for the reporting date itself (the `reporting_date` var, else the latest order
                 date); N for the month-end on or before the date N months earlier. Every fact is
                 cut at that date, so nothing from after it leaks in, except calendar-year active
                 years and wallets, which count the reporting date's whole calendar year. -#}
{% macro customer_economics(months_back=0) %}
    {#- Days and months are aggregated up to the reporting date already; only an earlier date needs
        the cuts below (`if months_back`). #}
    with

    customers as (

        select * from {{ ref('stg_customers') }}

    ),

    customer_days as (

        select * from {{ ref('int_customer_days_aggregated') }}

    ),

    customer_months as (

        select * from {{ ref('int_customer_months_aggregated') }}

    ),

    customer_wallets as (

        select * from {{ ref('int_customer_wallets_estimated') }}

    ),

    service_costs as (

        select * from {{ ref('stg_service_costs') }}

    ),

    assessments as (

        select * from {{ ref('stg_account_assessments') }}

    ),

    history as (

        select
            {% if months_back == 0 -%}
            {{ econ_reporting_date() }}
            {%- else -%}
            {{ econ_earlier_reporting_date(months_back) }}
            {%- endif %} as reporting_date,
            min(order_date) as history_start

        from customer_days

    ),

    reporting_window as (

        -- Three back-to-back 12-month windows ending on the reporting date: T12M, the prior T12M and
        -- the one before. A window counts as covered when the order history reaches its first month;
        -- an uncovered window is unknown, not a year of zero sales.
        select
            reporting_date,
            history_start,
            cast({{ dbt.date_trunc('month', 'reporting_date') }} as date) as reporting_month,
            cast(extract(year from reporting_date) as integer) as reporting_year,
            cast({{ dbt.dateadd('month', -12, 'reporting_date') }} as date) as t12m_after,
            cast({{ dbt.dateadd('month', -24, 'reporting_date') }} as date) as prior_t12m_after,
            cast({{ dbt.dateadd('month', -36, 'reporting_date') }} as date) as third_t12m_after,
            cast({{ dbt.dateadd('month', -23, dbt.date_trunc('month', 'reporting_date')) }} as date)
                as volatility_window_start,
            -- The last complete month: the reporting month when the reporting date is its last day.
            cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', dbt.dateadd('day', 1, 'reporting_date'))) }} as date)
                as trend_last_month,
            {{ dbt.date_trunc('month', 'history_start') }}
                <= {{ dbt.date_trunc('month', dbt.dateadd('day', 1, dbt.dateadd('month', -12, 'reporting_date'))) }}
                as covers_t12m,
            {{ dbt.date_trunc('month', 'history_start') }}
                <= {{ dbt.date_trunc('month', dbt.dateadd('day', 1, dbt.dateadd('month', -24, 'reporting_date'))) }}
                as covers_prior_t12m,
            -- A first order this close to the start of the export may be a relationship that began
            -- before it: a quarterly buyer's first order in the export can come up to three months in.
            cast({{ dbt.dateadd('day', var('tenure_censoring_days'), 'history_start') }} as date)
                as tenure_censored_before,
            {{ dbt.datediff('history_start', 'reporting_date', 'month') }} as history_months,
            {{ dbt.date_trunc('month', 'history_start') }}
                <= {{ dbt.date_trunc('month', dbt.dateadd('day', 1, dbt.dateadd('month', -36, 'reporting_date'))) }}
                as covers_third_t12m

        from history

    ),

    service_cost_input as (

        -- No service-cost file at all means cost to serve is unknown, not zero.
        select count(*) > 0 as has_service_costs
        from service_costs

    ),

    day_facts as (

        -- Days are already cut at the reporting date. Margin sums skip days without a costed line.
        select
            customer_days.customer_id,
            min(case when customer_days.order_count > 0 then customer_days.order_date end)
                as first_order_date,
            max(case when customer_days.order_count > 0 then customer_days.order_date end)
                as last_order_date,
            sum(customer_days.revenue) as revenue_lifetime,
            {{ econ_window_sum('customer_days.revenue', 't12m') }} as revenue_t12m,
            {{ econ_window_sum('customer_days.revenue', 'prior_t12m') }} as revenue_prior_t12m,
            {{ econ_window_sum('customer_days.revenue', 'third_t12m') }} as revenue_third_t12m,
            {{ econ_window_sum('customer_days.revenue_costed', 't12m') }} as revenue_costed_t12m,
            {{ econ_window_sum('customer_days.revenue_volume', 't12m') }} as revenue_volume_t12m,
            {{ econ_window_sum('customer_days.revenue_volume_costed', 't12m') }}
                as revenue_volume_costed_t12m,
            {{ econ_window_sum('customer_days.gross_margin', 't12m', zero_when_none=false) }}
                as costed_gross_margin_t12m,
            {{ econ_window_sum('customer_days.gross_margin', 'prior_t12m', zero_when_none=false) }}
                as costed_gross_margin_prior_t12m,
            {{ econ_window_sum('customer_days.line_count', 't12m') }} as line_count_t12m,
            {{ econ_window_sum('customer_days.line_count', 'prior_t12m') }} as line_count_prior_t12m,
            {{ econ_window_sum('customer_days.order_count', 't12m') }} as order_count_t12m,
            sum(customer_days.order_count) as order_count_lifetime

        from customer_days
        cross join reporting_window
        {% if months_back %}where customer_days.order_date <= reporting_window.reporting_date{% endif %}
        group by customer_days.customer_id

    ),

    order_gaps as (

        select
            customer_id,
            {{ dbt.datediff(
                'lag(order_date) over (partition by customer_id order by order_date)',
                'order_date',
                'day'
            ) }} as gap_days

        from customer_days
        {% if months_back -%}
        cross join reporting_window
        where customer_days.order_count > 0
            and customer_days.order_date <= reporting_window.reporting_date
        {%- else -%}
        where customer_days.order_count > 0
        {%- endif %}

    ),

    gap_facts as (

        select
            customer_id,
            count(*) as order_day_count,
            {{ econ_quantile('gap_days', 0.5) }} as median_gap_days

        from order_gaps
        group by customer_id

    ),

    month_facts as (

        select
            customer_months.customer_id,
            sum(case
                when customer_months.month_start
                    > {{ dbt.dateadd('month', -12, 'reporting_window.reporting_month') }}
                    and customer_months.revenue > 0
                    then 1
                else 0
            end) as active_months_t12m,
            -- Sums for the coefficient of variation over the last 24 months; months without orders
            -- have no row here and enter as zeros through the month count.
            sum(case
                when customer_months.month_start
                    > {{ dbt.dateadd('month', -24, 'reporting_window.reporting_month') }}
                    then cast(customer_months.revenue as double)
                else 0
            end) as revenue_24m,
            sum(case
                when customer_months.month_start
                    > {{ dbt.dateadd('month', -24, 'reporting_window.reporting_month') }}
                    then cast(customer_months.revenue as double) * cast(customer_months.revenue as double)
                else 0
            end) as revenue_squared_24m,
            -- A least-squares line through the logarithm of each month's revenue over the last 12
            -- complete months with orders: its slope is the monthly growth rate, the scatter around
            -- it the noise that rate is read through.
            {%- set in_trend_window = "customer_months.revenue > 0"
                ~ " and customer_months.month_start <= reporting_window.trend_last_month"
                ~ " and customer_months.month_start > " ~ dbt.dateadd('month', -12, 'reporting_window.trend_last_month') %}
            {%- set trend_y = "case when " ~ in_trend_window ~ " then ln(cast(customer_months.revenue as double)) end" %}
            {%- set trend_x = "case when " ~ in_trend_window ~ " then cast("
                ~ dbt.datediff('reporting_window.trend_last_month', 'customer_months.month_start', 'month') ~ " as double) end" %}
            regr_slope({{ trend_y }}, {{ trend_x }}) as trend_slope_12m,
            regr_count({{ trend_y }}, {{ trend_x }}) as trend_months_12m,
            regr_sxx({{ trend_y }}, {{ trend_x }}) as trend_sxx_12m,
            regr_syy({{ trend_y }}, {{ trend_x }}) as trend_syy_12m

        from customer_months
        cross join reporting_window
        {% if months_back %}where customer_months.month_start <= reporting_window.reporting_month{% endif %}
        group by customer_months.customer_id

    ),

    quarter_blocks as (

        -- Three-month blocks counted back from the reporting month (block 0 = the last three months):
        -- a buyer who orders once a quarter is as regular as one who orders every month.
        select
            customer_months.customer_id,
            cast(floor({{ dbt.datediff('customer_months.month_start', 'reporting_window.reporting_month', 'month') }} / 3)
                as integer) as block,
            cast(sum(customer_months.revenue) as double) as revenue

        from customer_months
        cross join reporting_window
        where customer_months.month_start
            > {{ dbt.dateadd('month', -24, 'reporting_window.reporting_month') }}
            {% if months_back %}and customer_months.month_start <= reporting_window.reporting_month{% endif %}
        group by 1, 2

    ),

    quarter_facts as (

        select
            customer_id,
            sum(case when block < 4 and revenue > 0 then 1 else 0 end) as active_quarters_t12m,
            sum(revenue) as revenue_8q,
            sum(revenue * revenue) as revenue_squared_8q

        from quarter_blocks
        group by customer_id

    ),

    active_months as (

        select
            customer_months.customer_id,
            customer_months.month_start,
            lag(customer_months.month_start) over (
                partition by customer_months.customer_id order by customer_months.month_start
            ) as previous_active_month

        from customer_months
        {% if months_back -%}
        cross join reporting_window
        where customer_months.revenue > 0
            and customer_months.month_start <= reporting_window.reporting_month
        {%- else -%}
        where customer_months.revenue > 0
        {%- endif %}

    ),

    repeat_facts as (

        select
            customer_id,
            count(*) as active_month_count,
            sum(case
                when {{ dbt.datediff('previous_active_month', 'month_start', 'month') }}
                    <= {{ var('repeat_purchase_window_months') }}
                    then 1
                else 0
            end) as repeat_month_count

        from active_months
        group by customer_id

    ),

    wallet_years_ranked as (

        -- The reporting year's wallet; a year with no order activity yet falls back to the latest
        -- year before it.
        select
            customer_wallets.*,
            row_number() over (
                partition by customer_wallets.customer_id order by customer_wallets.calendar_year desc
            ) as year_rank

        from customer_wallets
        cross join reporting_window
        where customer_wallets.calendar_year <= reporting_window.reporting_year

    ),

    wallet_facts as (

        select
            customer_id,
            sum(case when revenue > 0 then 1 else 0 end) as active_years,
            max(case when year_rank = 1 then calendar_year end) as wallet_year,
            max(case when year_rank = 1 then wallet end) as yearly_wallet,
            max(case when year_rank = 1 then wallet_source end) as wallet_source

        from wallet_years_ranked
        group by customer_id

    ),

    assessments_ranked as (

        select
            assessments.*,
            row_number() over (
                partition by assessments.customer_id order by assessments.assessed_on desc
            ) as assessment_rank

        from assessments
        cross join reporting_window
        where assessments.assessed_on <= reporting_window.reporting_date

    ),

    latest_assessments as (

        select * from assessments_ranked
        where assessment_rank = 1

    ),

    service_facts as (

        select
            service_costs.customer_id,
            sum(service_costs.cost) as cost_to_serve_t12m

        from service_costs
        cross join reporting_window
        where service_costs.activity_date > reporting_window.t12m_after
            and service_costs.activity_date <= reporting_window.reporting_date
        group by service_costs.customer_id

    ),

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

    ),

    derived as (

        select
            *,
            -- The T12M revenue cannot exceed what the customer could spend: a wallet below it is
            -- lifted to it, so share of wallet stays within 0..1 and headroom never turns negative.
            case
                when yearly_wallet < revenue_t12m then revenue_t12m
                else yearly_wallet
            end as wallet,
            case when revenue_t12m > 0 then revenue_t12m else 0 end as revenue_t12m_positive,
            -- The typical customer's monthly trend: what seasonality does to every customer alike
            -- within one year, so a customer's trend is read against it. The median, so projects
            -- ending and customers leaving do not make everyone else look like growth.
            {{ econ_quantile_over_all(
                'case when trend_months_12m >= ' ~ var('trend_1y_min_months') ~ ' then trend_slope_12m end', 0.5) }}
                as portfolio_trend_slope_12m,
            -- Without service costs the profit we know is the gross margin: it stands in for net
            -- contribution (contribution_basis says which one a figure is).
            case
                when cost_to_serve_t12m is not null then gross_margin_t12m - cost_to_serve_t12m
                else gross_margin_t12m
            end as contribution_t12m,
            case
                when cost_to_serve_t12m is not null and gross_margin_t12m is not null then 'net_contribution'
                when gross_margin_t12m is not null then 'gross_margin'
            end as contribution_basis,
            {{ dbt.datediff('last_order_date', 'reporting_date', 'day') }} as days_since_last_order,
            case
                when order_day_count >= {{ var('typical_gap_min_orders') }}
                    then cast(median_gap_days as double)
            end as typical_gap_days,
            -- Months of the last 24 the customer could have bought in: none before its first order.
            {{ dbt.datediff(
                'case when first_order_month > volatility_window_start'
                ~ ' then first_order_month else volatility_window_start end',
                'reporting_month',
                'month'
            ) }} + 1 as volatility_month_count

        from joined

    ),

    measured as (

        select
            customer_id,
            customer_name,
            industry,
            region,
            size_band,
            account_manager_id,
            reporting_date,
            revenue_t12m > 0 as is_active,
            first_order_date,
            last_order_date,
            cast(revenue_t12m as decimal(18, 2)) as revenue_t12m,
            cast(case when covers_prior_t12m then revenue_prior_t12m end as decimal(18, 2))
                as revenue_prior_t12m,
            cast(revenue_lifetime as decimal(18, 2)) as revenue_lifetime,
            cast(gross_margin_t12m as decimal(18, 2)) as gross_margin_t12m,
            -- The margin rate on the revenue whose cost is known, so unknown costs do not dilute it.
            cast(case
                when revenue_costed_t12m > 0 then gross_margin_t12m / revenue_costed_t12m
            end as double) as gross_margin_pct_t12m,
            cast(case
                when revenue_volume_t12m > 0 then revenue_volume_costed_t12m / revenue_volume_t12m
            end as double) as margin_coverage_t12m,
            cast(cost_to_serve_t12m as decimal(18, 2)) as cost_to_serve_t12m,
            -- The difference of the rounded figures, so margin less cost to serve adds up to the cent.
            cast(
                cast(gross_margin_t12m as decimal(18, 2)) - cast(cost_to_serve_t12m as decimal(18, 2))
                as decimal(18, 2)
            ) as net_contribution_t12m,
            cast(case
                when revenue_t12m > 0 then (gross_margin_t12m - cost_to_serve_t12m) / revenue_t12m
            end as double) as net_margin_pct_t12m,
            cast(contribution_t12m as decimal(18, 2)) as contribution_t12m,
            contribution_basis,
            cast(case
                when revenue_t12m > 0 then contribution_t12m / revenue_t12m
            end as double) as contribution_margin_pct_t12m,
            cast(wallet as decimal(18, 2)) as wallet,
            cast(wallet_year as integer) as wallet_year,
            wallet_source,
            cast(case when wallet > 0 then revenue_t12m_positive / wallet end as double)
                as share_of_wallet,
            cast(wallet - revenue_t12m_positive as decimal(18, 2)) as wallet_headroom,
            cast({{ dbt.datediff('first_order_date', 'reporting_date', 'month') }} as integer)
                as tenure_months,
            cast(history_months as integer) as history_months,
            first_order_date < tenure_censored_before as is_tenure_censored,
            cast(active_years as integer) as active_years,
            cast(case
                when first_order_date is not null
                    then reporting_year - cast(extract(year from first_order_date) as integer) + 1
            end as integer) as possible_years,
            cast(active_months_t12m as integer) as active_months_t12m,
            cast(active_quarters_t12m as integer) as active_quarters_t12m,
            cast(coalesce(active_month_count, 0) as integer) as active_months_lifetime,
            cast(case
                when active_month_count > 0 then 1.0 * repeat_month_count / active_month_count
            end as double) as repeat_rate,
            cast(order_count_t12m as integer) as order_count_t12m,
            cast(order_count_lifetime as integer) as order_count_lifetime,
            cast(days_since_last_order as integer) as days_since_last_order,
            typical_gap_days,
            cast(days_since_last_order / typical_gap_days as double) as churn_risk_ratio,
            case
                when typical_gap_days is not null
                    then days_since_last_order / typical_gap_days >= {{ var('churn_risk_min_gap_ratio') }}
                        and days_since_last_order >= {{ var('churn_risk_min_days_since_order') }}
            end as is_churn_risk,
            cast(case
                when covers_prior_t12m and revenue_prior_t12m > 0
                    then revenue_t12m / revenue_prior_t12m - 1
            end as double) as revenue_growth_yoy,
            -- Where year on year cannot be known (a history of one year, a customer younger than
            -- two), the trend through the last year's months, relative to the portfolio's (which
            -- takes out seasonality) and compounded to a year, is what the history can show. Its
            -- standard error says how far month-to-month noise alone moves it (log scale, per year).
            cast(case
                when covers_t12m and trend_months_12m >= {{ var('trend_1y_min_months') }}
                    then exp(12 * (trend_slope_12m - portfolio_trend_slope_12m)) - 1
            end as double) as revenue_trend_1y,
            cast(case
                when covers_t12m and trend_months_12m >= {{ var('trend_1y_min_months') }} and trend_sxx_12m > 0
                    then 12 * sqrt(
                        case
                            when trend_syy_12m - trend_slope_12m * trend_slope_12m * trend_sxx_12m > 0
                                then (trend_syy_12m - trend_slope_12m * trend_slope_12m * trend_sxx_12m)
                                    / (trend_months_12m - 2) / trend_sxx_12m
                            else 0
                        end)
            end as double) as revenue_trend_1y_error,
            cast(case
                when covers_prior_t12m and gross_margin_prior_t12m > 0
                    then gross_margin_t12m / gross_margin_prior_t12m - 1
            end as double) as gross_margin_growth_yoy,
            -- The least-squares slope of three equally spaced points is (last - first) / 2; divided by
            -- their mean it reads as growth per year relative to the account's size.
            cast(case
                when covers_third_t12m and revenue_t12m + revenue_prior_t12m + revenue_third_t12m > 0
                    then ((revenue_t12m - revenue_third_t12m) / 2.0)
                        / ((revenue_t12m + revenue_prior_t12m + revenue_third_t12m) / 3.0)
            end as double) as revenue_trend_3y,
            cast(case
                when volatility_month_count >= {{ var('volatility_min_months') }} and revenue_24m > 0
                    then sqrt(
                        case
                            when revenue_squared_24m - revenue_24m * revenue_24m / volatility_month_count > 0
                                then (revenue_squared_24m - revenue_24m * revenue_24m / volatility_month_count)
                                    / (volatility_month_count - 1)
                            else 0
                        end
                    ) / (revenue_24m / volatility_month_count)
            end as double) as revenue_volatility,
            -- The same on three-month blocks over the last 24 months: regular for monthly and
            -- quarterly buyers alike.
            cast(case
                when volatility_month_count >= {{ var('volatility_min_months') }} and revenue_8q > 0
                    then sqrt(
                        case
                            when revenue_squared_8q - revenue_8q * revenue_8q / ceiling(volatility_month_count / 3.0) > 0
                                then (revenue_squared_8q - revenue_8q * revenue_8q / ceiling(volatility_month_count / 3.0))
                                    / greatest(ceiling(volatility_month_count / 3.0) - 1, 1)
                            else 0
                        end
                    ) / (revenue_8q / ceiling(volatility_month_count / 3.0))
            end as double) as quarterly_revenue_volatility,
            cast(executive_access as integer) as executive_access,
            cast(decision_access as integer) as decision_access,
            cast(cultural_fit as integer) as cultural_fit,
            cast(strategic_alignment as integer) as strategic_alignment,
            assessed_on,
            cast(case
                when cultural_fit is not null and strategic_alignment is not null
                    then (cultural_fit + strategic_alignment) / 2.0
                else coalesce(cultural_fit, strategic_alignment)
            end as double) as strategic_fit_score,
            cast(case
                when executive_access is not null and decision_access is not null
                    then (executive_access + decision_access) / 2.0
                else coalesce(executive_access, decision_access)
            end as double) as relationship_access_score

        from derived

    ),

    growth_rated as (

        -- One yearly growth rate per customer: year on year where there was revenue a year ago, else
        -- the 3-year trend, else (a history of one year) the trend through the year against the
        -- portfolio's.
        select
            *,
            coalesce(revenue_growth_yoy, revenue_trend_3y, revenue_trend_1y) as revenue_growth,
            -- How far noise alone moves that rate (log scale): comparing two yearly totals, each a
            -- sum of 12 months (or 4 quarters, for a buyer in that rhythm) with the customer's own
            -- coefficient of variation, gives an error of CV x sqrt(2 / 12) (or sqrt(2 / 4)).
            case
                when revenue_growth_yoy is not null or revenue_trend_3y is not null
                    then least(revenue_volatility * sqrt(2.0 / 12), quarterly_revenue_volatility * sqrt(2.0 / 4))
                else revenue_trend_1y_error
            end as revenue_growth_error

        from measured

    ),

    final as (

        -- Materiality: a growth rate is trusted in proportion to the revenue behind it, shrunk
        -- towards the portfolio's rate (the median active customer's, robust to a few extreme
        -- rates) with the weight revenue / (revenue + k), k = the median active customer's revenue
        -- times growth_credibility_multiple.
        {%- set credibility_revenue = econ_quantile_over_all(
            'case when is_active then cast(revenue_t12m as double) end', 0.5)
            ~ ' * ' ~ var('growth_credibility_multiple') %}
        select
            *,
            cast(case
                when revenue_growth is not null and is_active then
                    (cast(revenue_t12m as double) * revenue_growth
                        + {{ credibility_revenue }}
                        * coalesce({{ econ_quantile_over_all('case when is_active then revenue_growth end', 0.5) }}, 0))
                    / (cast(revenue_t12m as double) + {{ credibility_revenue }})
            end as double) as revenue_growth_material

        from growth_rated

    )

    select * from final
{% endmacro %}
