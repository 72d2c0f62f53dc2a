{#- Every criterion the portfolio matrix can weigh (macros/matrix_criteria.sql), 0..100, per active
    customer per quarter-end: the scorecard's attributes as the quarter-end history scores them, and
    the matrix's own three. -#}
{%- set scorecard_criteria = score_attributes() | map(attribute='name') | list -%}
with

attributes as (

    select * from {{ ref('int_quarter_end_scorecard_attributes') }}

),

economics as (

    select * from {{ ref('int_quarter_end_customer_economics') }}

),

stages as (

    select * from {{ ref('int_quarter_end_relationship_stages') }}

),

measures as (

    -- The active customers of each quarter-end (the scorecard's attributes hold only them).
    select
        attributes.customer_id,
        attributes.reporting_date,
        {% for criterion in scorecard_criteria %}
        attributes.{{ criterion }}_value,
        {% endfor %}
        cast(economics.wallet as double) as wallet_size_measure,
        cast(economics.share_of_wallet as double) as share_of_wallet_measure,
        stages.relationship_stage_index

    from attributes
    inner join economics
        on attributes.customer_id = economics.customer_id
        and attributes.reporting_date = economics.reporting_date
    left join stages
        on attributes.customer_id = stages.customer_id
        and attributes.reporting_date = stages.reporting_date

),

wallet_scales as (

    -- The purchase budget on the scorecard's money scale (the money_scale_floor_quantile var): the
    -- floor quantile of the quarter-end's positive wallets scores 0, the largest 100, ten times
    -- the budget always the same number of points. A rank would call half of any portfolio "big",
    -- however small most of its customers are.
    select
        reporting_date,
        {{ money_scale_bounds(['wallet_size']) }}

    from measures
    group by reporting_date

),

final as (

    -- Unknown stays unknown rather than becoming the worst value.
    select
        measures.customer_id,
        measures.reporting_date,
        {% for criterion in scorecard_criteria %}
        cast(measures.{{ criterion }}_value as double) as {{ criterion }}_value,
        {% endfor %}
        cast({{ money_scale_value('measures.wallet_size_measure', 'wallet_scales.wallet_size_floor',
                                  'wallet_scales.wallet_size_ceiling') }} as double) as wallet_size_value,
        -- Our share of the customer's budget is a 0..100 figure already: a half is 50 whatever the
        -- rest of the portfolio looks like.
        cast(100 * least(measures.share_of_wallet_measure, 1.0) as double) as share_of_wallet_value,
        -- Exploratory 0, basic 25, cooperative 50, interdependent 75, integrated 100.
        cast(25 * measures.relationship_stage_index as double) as relationship_stage_value

    from measures
    inner join wallet_scales on measures.reporting_date = wallet_scales.reporting_date

)

select * from final
