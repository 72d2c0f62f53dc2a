{#- Where an account plan runs past the matrix's latest quarter-end: every criterion of the portfolio
    matrix at the plan's end if its targets are met, on the latest quarter-end's scales. The plan
    moves what it sets (revenue and gross margin, so revenue size, share of wallet, wallet headroom,
    growth, profitability and margin quality); the rest is held at the latest quarter-end. -#}
with

plans as (

    select * from {{ ref('stg_account_plans') }}

),

economics as (

    select * from {{ ref('int_quarter_end_customer_economics') }}

),

attributes as (

    select * from {{ ref('int_quarter_end_scorecard_attributes') }}

),

criteria as (

    select * from {{ ref('int_quarter_end_matrix_criteria') }}

),

quarter_ends as (

    {{ quarter_ends_with_a_year_of_history('economics') }}

),

latest as (

    -- The portfolio matrix's latest quarter-end: the position the forecast starts from.
    select max(quarter_end) as quarter_end
    from quarter_ends

),

plan_periods as (

    -- Each period with its plan's end and its length in whole months (month boundaries from its
    -- first day to the day after its last): plans are split in months, quarters, halves or years
    -- for cadence reporting.
    select
        plans.customer_id,
        plans.period_start,
        plans.period_end,
        plans.target_revenue,
        plans.target_gross_margin,
        max(plans.period_end) over (partition by plans.customer_id) as plan_end,
        {{ month_difference('plans.period_start', dbt.dateadd('day', 1, 'plans.period_end')) }} as period_months

    from plans

),

final_plan_years as (

    -- The plan's last twelve months as a yearly rate: the targets of the periods ending in them
    -- over the months those periods cover (a plan in one long period gives its average year). A
    -- revenue target missing in that year leaves the plan without a forecast; a missing margin
    -- target leaves the margin criteria where they are.
    select
        plan_periods.customer_id,
        plan_periods.plan_end,
        sum(plan_periods.target_revenue) * 12.0 / sum(plan_periods.period_months) as planned_revenue,
        case
            when count(plan_periods.target_gross_margin) = count(*)
                then sum(plan_periods.target_gross_margin) * 12.0 / sum(plan_periods.period_months)
        end as planned_gross_margin

    from plan_periods
    cross join latest
    where
        plan_periods.plan_end > latest.quarter_end
        and plan_periods.period_end > {{ dbt.dateadd('month', -12, 'plan_periods.plan_end') }}
    group by plan_periods.customer_id, plan_periods.plan_end
    having count(plan_periods.target_revenue) = count(*) and sum(plan_periods.period_months) > 0

),

forecast_measures as (

    -- The measures the plan moves, as the scorecard defines them: growth is the yearly rate from
    -- today's 12 months to the plan's last 12 (they lie years_to_plan_end apart); contribution is
    -- today's plus the planned change in gross margin (cost to serve held).
    -- A plan ending within the month after the quarter-end counts one month, not none.
    {%- set months_to_plan_end = 'greatest(1, ' ~ month_difference(
        dbt.dateadd('day', 1, 'latest.quarter_end'), dbt.dateadd('day', 1, 'final_plan_years.plan_end')) ~ ')' %}
    select
        final_plan_years.customer_id,
        latest.quarter_end as reporting_date,
        final_plan_years.plan_end,
        cast({{ months_to_plan_end }} as double) / 12 as years_to_plan_end,
        cast(final_plan_years.planned_revenue as double) as planned_revenue,
        cast(final_plan_years.planned_gross_margin as double) as planned_gross_margin,
        cast(final_plan_years.planned_revenue as double) > cast(economics.wallet as double) as plan_exceeds_wallet,
        cast(final_plan_years.planned_revenue as double) as revenue_size_measure,
        cast(final_plan_years.planned_revenue as double) / nullif(cast(economics.wallet as double), 0)
            as share_of_wallet_measure,
        -- Within reach of an account plan, as the scorecard caps it. least and greatest skip a
        -- null: an unknown wallet is said so.
        case
            when economics.wallet is not null
                then cast(least(
                        economics.wallet - final_plan_years.planned_revenue,
                        final_plan_years.planned_revenue * {{ var('headroom_max_revenue_multiple') }}
                    ) as double)
        end as wallet_headroom_measure,
        case
            when final_plan_years.planned_revenue > 0
                then power(
                        cast(final_plan_years.planned_revenue as double) / cast(economics.revenue_t12m as double),
                        12 / cast({{ months_to_plan_end }} as double)
                    ) - 1
            else -1.0
        end as growth_measure,
        cast(
            economics.contribution_t12m + final_plan_years.planned_gross_margin - economics.gross_margin_t12m
            as double
        ) as profitability_measure

    from final_plan_years
    cross join latest
    inner join economics
        on final_plan_years.customer_id = economics.customer_id
        and latest.quarter_end = economics.reporting_date
    where economics.is_active

),

with_margin as (

    select
        *,
        profitability_measure / nullif(planned_revenue, 0) as margin_quality_measure

    from forecast_measures

),

money_scales as (

    -- The latest quarter-end's money scales, as the scorecard's attributes drew them.
    select
        attributes.reporting_date,
        {{ money_scale_bounds(['revenue_size', 'profitability', 'wallet_headroom']) }}

    from attributes
    inner join latest on attributes.reporting_date = latest.quarter_end
    group by attributes.reporting_date

),

ranked_measures as (

    -- The percentile criteria (growth, margin quality): the forecast's place among the other
    -- customers' measures at the quarter-end, as percent_rank would give it had the forecast
    -- replaced the customer's own measure. Forecasts are ordered before today's equal measures, so
    -- the running count of today's measures is those strictly below; the customer's own measure
    -- today is taken out of the count.
    {% for name in ['growth', 'margin_quality'] %}
    select
        '{{ name }}' as criterion,
        measures.customer_id,
        measures.is_forecast,
        sum(case when measures.is_forecast then 0 else 1 end)
            over (
                order by measures.measure, case when measures.is_forecast then 0 else 1 end
                rows between unbounded preceding and current row
            )
        - case when measures.own_measure < measures.measure then 1 else 0 end as others_below,
        case when measures.own_measure is not null then 1 else 0 end as own_known

    from (
        select
            attributes.customer_id,
            false as is_forecast,
            attributes.{{ name }}_measure as measure,
            cast(null as double) as own_measure
        from attributes
        inner join latest on attributes.reporting_date = latest.quarter_end
        where attributes.{{ name }}_measure is not null
        union all
        select
            with_margin.customer_id,
            true as is_forecast,
            with_margin.{{ name }}_measure as measure,
            cast(today.{{ name }}_measure as double) as own_measure
        from with_margin
        inner join attributes as today
            on with_margin.customer_id = today.customer_id
            and with_margin.reporting_date = today.reporting_date
        where with_margin.{{ name }}_measure is not null
    ) as measures
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

percentile_counts as (

    select
        count(attributes.growth_measure) as growth_known,
        count(attributes.margin_quality_measure) as margin_quality_known

    from attributes
    inner join latest on attributes.reporting_date = latest.quarter_end

),

percentiles as (

    select
        with_margin.customer_id,
        100.0 * growth_ranked.others_below
        / nullif(percentile_counts.growth_known - growth_ranked.own_known, 0) as growth_value,
        100.0 * margin_quality_ranked.others_below
        / nullif(percentile_counts.margin_quality_known - margin_quality_ranked.own_known, 0) as margin_quality_value

    from with_margin
    cross join percentile_counts
    {% for name in ['growth', 'margin_quality'] %}
    left join ranked_measures as {{ name }}_ranked
        on with_margin.customer_id = {{ name }}_ranked.customer_id
        and {{ name }}_ranked.criterion = '{{ name }}'
        and {{ name }}_ranked.is_forecast
    {% endfor %}

),

final as (

    -- What the plan does not set is held; what it sets but cannot be scored (no wallet, no margin
    -- target) keeps today's value too.
    select
        criteria.customer_id,
        criteria.reporting_date,
        with_margin.plan_end,
        with_margin.years_to_plan_end,
        with_margin.planned_revenue,
        with_margin.planned_gross_margin,
        with_margin.plan_exceeds_wallet,
        with_margin.growth_measure as planned_growth_yearly,
        {% for name in ['revenue_size', 'profitability', 'wallet_headroom'] %}
        -- A plan beyond today's largest scores 100, as the largest does.
        coalesce(
            case
                when with_margin.{{ name }}_measure is not null
                    then cast(least(100.0, {{ money_scale_value('with_margin.' ~ name ~ '_measure',
                                                                'money_scales.' ~ name ~ '_floor',
                                                                'money_scales.' ~ name ~ '_ceiling') }}) as double)
            end,
            criteria.{{ name }}_value
        ) as {{ name }}_value,
        {% endfor %}
        {% for name in ['growth', 'margin_quality'] %}
        coalesce(cast(percentiles.{{ name }}_value as double), criteria.{{ name }}_value) as {{ name }}_value,
        {% endfor %}
        coalesce(
            case
                when with_margin.share_of_wallet_measure is not null
                    then cast(100 * least(with_margin.share_of_wallet_measure, 1.0) as double)
            end,
            criteria.share_of_wallet_value
        ) as share_of_wallet_value,
        criteria.wallet_size_value,
        criteria.strategic_fit_value,
        criteria.loyalty_value,
        criteria.relationship_access_value,
        criteria.relationship_stage_value

    from with_margin
    inner join criteria
        on with_margin.customer_id = criteria.customer_id
        and with_margin.reporting_date = criteria.reporting_date
    inner join percentiles on with_margin.customer_id = percentiles.customer_id
    inner join money_scales on with_margin.reporting_date = money_scales.reporting_date

)

select * from final
