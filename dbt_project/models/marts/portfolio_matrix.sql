{#- The key-account portfolio matrix: every active customer at every quarter-end of the history,
    placed by each axes set (the matrix_axes seed) on attractiveness to us and our strength in the
    account, with the quadrant's treatment, the relationship stage and the quarter before. -#}
with

criteria as (

    select * from {{ ref('int_quarter_end_matrix_criteria') }}

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

criteria_at_quarter_ends as (

    -- The criteria the matrix places: those of the history's quarter-ends.
    select criteria.*
    from criteria
    inner join quarter_ends on criteria.reporting_date = quarter_ends.quarter_end

),

quarter_ends_sequenced as (

    select
        quarter_end,
        lag(quarter_end) over (order by quarter_end) as previous_quarter_end

    from quarter_ends

),

{{ matrix_placement_ctes('criteria_at_quarter_ends') }},

final as (

    select
        placed.axes_name,
        placed.axes_version,
        placed.reporting_date as quarter_end,
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
        {{ matrix_treatment('placed.quadrant') }} as treatment,
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
    inner join quarter_ends_sequenced on placed.reporting_date = quarter_ends_sequenced.quarter_end
    inner join criteria
        on placed.customer_id = criteria.customer_id
        and placed.reporting_date = criteria.reporting_date
    inner join economics
        on placed.customer_id = economics.customer_id
        and placed.reporting_date = economics.reporting_date
    left join stages
        on placed.customer_id = stages.customer_id
        and placed.reporting_date = stages.reporting_date
    left join scores
        on placed.customer_id = scores.customer_id
        and placed.reporting_date = scores.reporting_date
    -- The quarter before, where the customer was active then (and so placed).
    left join placed as previous
        on placed.axes_name = previous.axes_name
        and placed.customer_id = previous.customer_id
        and quarter_ends_sequenced.previous_quarter_end = previous.reporting_date

)

select * from final
