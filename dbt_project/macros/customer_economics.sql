{#- One customer's economics as of a reporting date: the SQL of int_customer_economics (see its
    .yml for every column), kept in a macro so the backtest computes the portfolio as it stood
    `months_back` months earlier with the very same code (int_backtest_customer_economics). Each
    concern's CTEs come from a macro of their own in macros/customer_economics/; this one imports
    the inputs and lists the concerns in the order they build on each other.

    months_back: 0 for the reporting date itself (the `reporting_date` var, else the latest order
                 date); N for the month-end on or before the date N months earlier. Every fact is
                 cut at that date, so nothing from after it leaks in, except calendar-year active
                 years and wallets, which count the reporting date's whole calendar year.
    quarters_back: instead of months_back, the quarter-end N quarters before the last quarter-end
                 on or before the reporting date (0: that quarter-end), cut the same way. -#}
{% macro customer_economics(months_back=0, quarters_back=none) %}
    {#- Days and months are aggregated up to the reporting date already; only an earlier date needs
        the cuts the concerns make `if cut`. #}
    {%- set cut = months_back != 0 or quarters_back is not none -%}
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

    {{ econ_reporting_window_ctes(months_back, quarters_back) }},

    {{ econ_revenue_window_ctes(cut) }},

    {{ econ_order_rhythm_ctes(cut) }},

    {{ econ_trend_and_volatility_ctes(cut) }},

    {{ econ_wallet_ctes() }},

    {{ econ_assessment_ctes() }},

    {{ econ_cost_to_serve_ctes() }},

    {{ econ_joined_facts_ctes() }},

    {{ econ_measure_ctes() }},

    {{ econ_growth_and_materiality_ctes() }}

    select * from final
{% endmacro %}
