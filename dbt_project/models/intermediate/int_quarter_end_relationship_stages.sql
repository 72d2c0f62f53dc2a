{#- The relationship stage of every customer at every quarter-end: the account team's judgement
    where there is an assessment as of the quarter-end, else what the order history shows. -#}
{%- set stages = ['exploratory', 'basic', 'cooperative', 'interdependent', 'integrated'] -%}
with

economics as (

    select * from {{ ref('int_quarter_end_customer_economics') }}

),

order_lines as (

    select * from {{ ref('int_order_lines_costed') }}

),

products as (

    select * from {{ ref('stg_products') }}

),

quarter_ends as (

    select
        reporting_date,
        -- The trailing 12 months end on the quarter-end, a month's last day: they hold the order
        -- months after the same month-end a year before.
        cast({{ dbt.dateadd('month', -12, 'reporting_date') }} as date) as t12m_after

    from economics
    group by reporting_date

),

category_months as (

    -- Net revenue per customer, month and product category (null for a product the products file
    -- does not list): returns net out.
    select
        order_lines.customer_id,
        order_lines.order_month,
        products.category,
        sum(order_lines.net_revenue) as net_revenue

    from order_lines
    left join products on order_lines.product_id = products.product_id
    group by order_lines.customer_id, order_lines.order_month, products.category

),

category_windows as (

    select
        quarter_ends.reporting_date,
        category_months.customer_id,
        category_months.category,
        sum(category_months.net_revenue) as net_revenue_t12m

    from category_months
    inner join quarter_ends
        on category_months.order_month > quarter_ends.t12m_after
        and category_months.order_month <= quarter_ends.reporting_date
    group by quarter_ends.reporting_date, category_months.customer_id, category_months.category

),

category_breadth as (

    -- Categories the customer bought in (net) over the trailing 12 months; unknown when none of
    -- its products has a category on file, rather than 0.
    select
        reporting_date,
        customer_id,
        case
            when max(case when category is not null then 1 else 0 end) = 1
                then count(distinct case when category is not null and net_revenue_t12m > 0 then category end)
        end as categories_t12m

    from category_windows
    group by reporting_date, customer_id

),

measured as (

    select
        economics.customer_id,
        economics.reporting_date,
        economics.assessed_on,
        economics.tenure_months,
        economics.share_of_wallet,
        -- Whatever the customer's lines, no order in the window is no category.
        case
            when category_breadth.customer_id is null then 0
            else category_breadth.categories_t12m
        end as categories_t12m,
        -- The mean of the assessment's four 1..5 scores that were filled in.
        cast(
            coalesce(economics.executive_access, 0) + coalesce(economics.decision_access, 0)
            + coalesce(economics.cultural_fit, 0) + coalesce(economics.strategic_alignment, 0)
            as double
        ) / nullif(
            case when economics.executive_access is not null then 1 else 0 end
            + case when economics.decision_access is not null then 1 else 0 end
            + case when economics.cultural_fit is not null then 1 else 0 end
            + case when economics.strategic_alignment is not null then 1 else 0 end,
            0
        ) as assessment_mean

    from economics
    left join category_breadth
        on economics.customer_id = category_breadth.customer_id
        and economics.reporting_date = category_breadth.reporting_date

),

pointed as (

    -- What the data shows, 0..6 points: how long (tenure), how broad (categories bought) and how
    -- deep (share of wallet) the relationship is. An unknown measure earns no point.
    select
        *,
        case
            when tenure_months >= {{ var('relationship_stage_long_tenure_months') }} then 2
            when tenure_months >= {{ var('relationship_stage_min_tenure_months') }} then 1
            else 0
        end
        + case
            when categories_t12m >= {{ var('relationship_stage_broad_categories') }} then 2
            when categories_t12m >= {{ var('relationship_stage_min_categories') }} then 1
            else 0
        end
        + case
            when share_of_wallet >= {{ var('relationship_stage_high_share_of_wallet') }} then 2
            when share_of_wallet >= {{ var('relationship_stage_min_share_of_wallet') }} then 1
            else 0
        end as stage_points

    from measured

),

staged as (

    select
        *,
        case
            when assessment_mean < {{ var('relationship_stage_assessed_basic') }} then 0
            when assessment_mean < {{ var('relationship_stage_assessed_cooperative') }} then 1
            when assessment_mean < {{ var('relationship_stage_assessed_interdependent') }} then 2
            when assessment_mean < {{ var('relationship_stage_assessed_integrated') }} then 3
            when assessment_mean is not null then 4
        end as assessed_stage_index,
        -- 0-1 points exploratory, 2-3 basic, 4-6 cooperative. Orders show how long, broad and
        -- deep the buying is; interdependent and integrated (joint plans, ties between executives)
        -- are about the relationship itself, which only the account team's assessment can tell.
        case
            when stage_points <= 1 then 0
            when stage_points <= 3 then 1
            else 2
        end as inferred_stage_index

    from pointed

),

chosen as (

    -- The account team's judgement where there is one, else the data's.
    select
        *,
        coalesce(assessed_stage_index, inferred_stage_index) as relationship_stage_index,
        case
            when assessed_stage_index is not null then 'assessed'
            else 'inferred'
        end as relationship_stage_source

    from staged

),

final as (

    select
        customer_id,
        reporting_date,
        case relationship_stage_index
            {% for stage in stages -%}
            when {{ loop.index0 }} then '{{ stage }}'
            {% endfor -%}
        end as relationship_stage,
        cast(relationship_stage_index as integer) as relationship_stage_index,
        relationship_stage_source,
        assessed_on,
        cast(assessment_mean as double) as assessment_mean,
        cast(tenure_months as integer) as tenure_months,
        cast(categories_t12m as integer) as categories_t12m,
        cast(share_of_wallet as double) as share_of_wallet,
        cast(stage_points as integer) as stage_points

    from chosen

)

select * from final
