{#- The reporting window: the reporting date (or the backtest's month-end `months_back` months
    earlier, or the quarter-end `quarters_back` quarters before the last one) and the windows every other concern is measured in, on one row that they cross join.
    Produces history (reporting_date, history_start) and reporting_window (reporting_date,
    history_start, reporting_month, reporting_year, t12m_after, prior_t12m_after, third_t12m_after,
    volatility_window_start, trend_last_month, covers_t12m, covers_prior_t12m,
    tenure_censored_before, history_months, covers_third_t12m). -#}
{% macro econ_reporting_window_ctes(months_back, quarters_back=none) -%}
    history as (

        select
            {% if quarters_back is not none -%}
            {{ econ_quarter_end_date(quarters_back) }}
            {%- elif months_back == 0 -%}
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
            {{ month_difference('history_start', 'reporting_date') }} as history_months,
            {{ dbt.date_trunc('month', 'history_start') }}
                <= {{ dbt.date_trunc('month', dbt.dateadd('day', 1, dbt.dateadd('month', -36, 'reporting_date'))) }}
                as covers_third_t12m

        from history

    )
{%- endmacro %}
