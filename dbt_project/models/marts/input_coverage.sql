{#- Which inputs the warehouse was built from, and what is unknown because one is missing: the
    dashboard shows the missing ones, analysts can join on input_name. The consequences are
    written here, beside the models they describe, rather than in the dashboard. An input whose
    absence leaves nothing unknown has none: without product costs every line may carry its own
    cost (the orders row reports the revenue without one), and without overrides every status is
    simply the computed one. -#}
{%- set inputs = [
    ('orders', true, 'every metric', none),
    ('customers', true, 'names, industry, region and size band (peer groups for wallets), managers', none),
    ('products', false, 'product categories',
        'Order lines fall in no product category.'),
    ('product_costs', false, 'line cost where an order line carries no cost_amount', none),
    ('wallet_estimates', false, 'share of wallet and wallet headroom',
        'No declared wallets: every wallet is estimated from peers of the same industry and size band.'),
    ('service_costs', false, 'cost to serve, net contribution, contribution tiers, the whale curve and the profitability and margin-quality attributes',
        'Cost to serve is unknown, so net contribution, the contribution tiers, the whale curve and the profitability and margin-quality attributes are empty; the scorecard shares their weight among the attributes it knows.'),
    ('account_assessments', false, 'the strategic-fit and relationship-access attributes',
        'No assessments: strategic fit and relationship access are unknown for every account; the scorecard shares their weight among the attributes it knows.'),
    ('account_managers', false, 'manager names and capacity',
        'No account managers: no capacity to select within, so a capacity-based definition selects no account.'),
    ('account_plans', false, 'plan against actual and exit reviews on plan',
        'No account plans: no plan against actual; exit reviews rest on the score alone.'),
    ('account_overrides', false, 'manual key-account decisions', none),
] -%}

with

{% for name, _, _, _ in inputs %}
{{ name }}_rows as (

    select '{{ name }}' as input_name, count(*) as row_count
    from {{ ref('stg_' ~ name) }}

),

{% endfor %}
concentration as (

    select margin_coverage_t12m from {{ ref('portfolio_concentration') }}

),

described as (

    {% for name, is_required, affects, when_missing in inputs %}
    select
        '{{ name }}' as input_name,
        {{ is_required }} as is_required,
        '{{ affects }}' as affects,
        {% if when_missing %}'{{ when_missing | replace("'", "''") }}'
        {%- else %}cast(null as {{ dbt.type_string() }}){% endif %} as when_missing
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

counted as (

    {% for name, _, _, _ in inputs %}
    select * from {{ name }}_rows
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        described.input_name,
        described.is_required,
        cast(counted.row_count as bigint) as row_count,
        counted.row_count > 0 as is_supplied,
        described.affects,
        case
            when counted.row_count = 0 then described.when_missing
            -- Costs can come on the lines or from the cost history: what matters is the share of
            -- revenue that has one.
            -- Rounded first: a share summed in floating point can miss 1 in the last digit.
            when described.input_name = 'orders' and round(concentration.margin_coverage_t12m, 3) < 1
                then 'Only ' || cast(round(100 * concentration.margin_coverage_t12m, 1) as {{ dbt.type_string() }})
                    || ' % of the last twelve months'' revenue has a cost: margin is unknown for the rest.'
        end as gap

    from described
    inner join counted on described.input_name = counted.input_name
    cross join concentration

)

select * from final
