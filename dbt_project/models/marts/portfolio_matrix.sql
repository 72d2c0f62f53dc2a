{#- The key-account portfolio matrix: every active customer at every quarter-end of the history,
    placed by each axes set (the matrix_axes seed) on attractiveness to us and our strength in the
    account, with the quadrant's treatment, the relationship stage and the quarter before. -#}
{%- set cut = var('matrix_axis_cut') -%}
with

criteria as (

    select * from {{ ref('int_quarter_end_matrix_criteria') }}

),

axes as (

    select * from {{ ref('int_matrix_axes_versioned') }}

),

economics as (

    select * from {{ ref('int_quarter_end_customer_economics') }}

),

stages as (

    select * from {{ ref('int_quarter_end_relationship_stages') }}

),

scores as (

    select * from {{ ref('int_quarter_end_scorecard_scores') }}
    where definition_name = '{{ var("cadence_definition") }}'

),

quarter_ends as (

    -- The quarter-ends of key_account_quarterly_history.
    {{ quarter_ends_with_a_year_of_history('economics') }}

),

quarter_ends_sequenced as (

    select
        quarter_end,
        lag(quarter_end) over (order by quarter_end) as previous_quarter_end

    from quarter_ends

),

criterion_values as (

    -- Each customer's value of each criterion an axes set weighs.
    select
        axes.axes_name,
        axes.axes_version,
        axes.axis,
        axes.weight,
        criteria.customer_id,
        criteria.reporting_date,
        case axes.criterion
            {% for criterion in matrix_criteria() -%}
            when '{{ criterion }}' then criteria.{{ criterion }}_value
            {% endfor -%}
        end as criterion_value

    from criteria
    inner join quarter_ends on criteria.reporting_date = quarter_ends.quarter_end
    cross join axes

),

axis_means as (

    -- An axis is the weighted mean of its known criteria: the weights of the unknown ones are
    -- spread over the known ones; no criterion known, no value.
    select
        axes_name,
        axes_version,
        customer_id,
        reporting_date,
        sum(case when axis = 'attractiveness' then weight * criterion_value end)
        / sum(case when axis = 'attractiveness' and criterion_value is not null then weight end) as attractiveness,
        sum(case when axis = 'strength' then weight * criterion_value end)
        / sum(case when axis = 'strength' and criterion_value is not null then weight end) as strength

    from criterion_values
    group by axes_name, axes_version, customer_id, reporting_date

),

axis_values as (

    -- Held within 0..100 against the last bit of floating-point rounding (greatest and least skip
    -- a null, so an unknown axis stays unknown by the case).
    select
        axes_name,
        axes_version,
        customer_id,
        reporting_date,
        case when attractiveness is not null then least(100.0, greatest(0.0, attractiveness)) end as attractiveness,
        case when strength is not null then least(100.0, greatest(0.0, strength)) end as strength

    from axis_means

),

placed as (

    select
        axis_values.axes_name,
        axis_values.axes_version,
        axis_values.reporting_date as quarter_end,
        axis_values.customer_id,
        axis_values.attractiveness,
        axis_values.strength,
        case
            when axis_values.attractiveness is null or axis_values.strength is null then null
            when axis_values.attractiveness >= {{ cut }} and axis_values.strength >= {{ cut }}
                then 'invest_for_growth'
            when axis_values.attractiveness >= {{ cut }} then 'invest_selectively'
            when axis_values.strength >= {{ cut }} then 'maintain'
            else 'streamline'
        end as quadrant

    from axis_values

),

final as (

    select
        placed.axes_name,
        placed.axes_version,
        placed.quarter_end,
        quarter_ends_sequenced.previous_quarter_end,
        placed.customer_id,
        economics.customer_name,
        economics.account_manager_id,
        cast(economics.revenue_t12m as decimal(18, 2)) as revenue_t12m,
        cast(economics.net_contribution_t12m as decimal(18, 2)) as net_contribution_t12m,
        cast(economics.net_margin_pct_t12m as double) as net_margin_pct_t12m,
        criteria.wallet_size_value,
        criteria.wallet_headroom_value,
        criteria.revenue_size_value,
        criteria.profitability_value,
        criteria.growth_value,
        criteria.margin_quality_value,
        criteria.strategic_fit_value,
        criteria.share_of_wallet_value,
        criteria.loyalty_value,
        criteria.relationship_access_value,
        criteria.relationship_stage_value,
        cast(placed.attractiveness as double) as attractiveness,
        cast(placed.strength as double) as strength,
        placed.quadrant,
        case placed.quadrant
            {% for quadrant in matrix_quadrants() -%}
            when '{{ quadrant.name }}' then '{{ quadrant.treatment }}'
            {% endfor -%}
        end as treatment,
        stages.relationship_stage,
        stages.relationship_stage_source,
        coalesce(scores.is_key_account_computed, false) as is_key_account,
        cast(previous.attractiveness as double) as previous_attractiveness,
        cast(previous.strength as double) as previous_strength,
        previous.quadrant as previous_quadrant,
        cast(case placed.quadrant
            {% for quadrant in matrix_quadrants() -%}
            when '{{ quadrant.name }}' then {{ var(quadrant.effort_var) }}
            {% endfor -%}
        end as double) as effort_units

    from placed
    inner join quarter_ends_sequenced on placed.quarter_end = quarter_ends_sequenced.quarter_end
    inner join criteria
        on placed.customer_id = criteria.customer_id
        and placed.quarter_end = criteria.reporting_date
    inner join economics
        on placed.customer_id = economics.customer_id
        and placed.quarter_end = economics.reporting_date
    left join stages
        on placed.customer_id = stages.customer_id
        and placed.quarter_end = stages.reporting_date
    left join scores
        on placed.customer_id = scores.customer_id
        and placed.quarter_end = scores.reporting_date
    -- The quarter before, where the customer was active then (and so placed).
    left join placed as previous
        on placed.axes_name = previous.axes_name
        and placed.customer_id = previous.customer_id
        and quarter_ends_sequenced.previous_quarter_end = previous.quarter_end

)

select * from final
