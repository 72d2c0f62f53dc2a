{#- Where the account plans take the accounts: for every account with a plan running past the
    portfolio matrix's latest quarter-end, its place there and its place at the plan's end if the
    plan's targets are met, per axes set. -#}
with

forecast_criteria as (

    select * from {{ ref('int_matrix_forecast_criteria') }}

),

matrix as (

    select * from {{ ref('portfolio_matrix') }}

),

{{ matrix_placement_ctes('forecast_criteria') }},

final as (

    select
        placed.axes_name,
        placed.axes_version,
        matrix.quarter_end,
        forecast_criteria.plan_end,
        cast(forecast_criteria.years_to_plan_end as double) as years_to_plan_end,
        placed.customer_id,
        matrix.customer_name,
        matrix.account_manager_id,
        matrix.is_key_account,
        matrix.revenue_t12m,
        cast(forecast_criteria.planned_revenue as decimal(18, 2)) as planned_revenue,
        cast(forecast_criteria.planned_gross_margin as decimal(18, 2)) as planned_gross_margin,
        forecast_criteria.plan_exceeds_wallet,
        cast(forecast_criteria.planned_growth_yearly as double) as planned_growth_yearly,
        matrix.share_of_wallet_value,
        cast(forecast_criteria.share_of_wallet_value as double) as planned_share_of_wallet_value,
        matrix.attractiveness,
        matrix.strength,
        matrix.quadrant,
        cast(placed.attractiveness as double) as forecast_attractiveness,
        cast(placed.strength as double) as forecast_strength,
        placed.quadrant as forecast_quadrant,
        {{ matrix_treatment('placed.quadrant') }} as forecast_treatment,
        coalesce(placed.quadrant <> matrix.quadrant, false) as changes_quadrant

    from placed
    inner join forecast_criteria
        on placed.customer_id = forecast_criteria.customer_id
        and placed.reporting_date = forecast_criteria.reporting_date
    inner join matrix
        on placed.axes_name = matrix.axes_name
        and placed.customer_id = matrix.customer_id
        and placed.reporting_date = matrix.quarter_end

)

select * from final
