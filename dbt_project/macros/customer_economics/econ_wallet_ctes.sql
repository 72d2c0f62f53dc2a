{#- Wallets: the customer's estimated wallet for the reporting year and its active calendar years.
    Produces wallet_years_ranked and wallet_facts (customer_id, active_years, wallet_year,
    yearly_wallet, wallet_source). -#}
{% macro econ_wallet_ctes() -%}
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

    )
{%- endmacro %}
