{#- The criteria an axis of the portfolio matrix can weigh (the matrix_axes seed), each on the 0..100
    scale per customer per quarter-end (int_quarter_end_matrix_criteria): the scorecard's eight
    attributes (macros/score_attributes.sql) and three of the matrix's own. The list is code, not
    configuration: a new criterion needs its SQL in int_quarter_end_matrix_criteria; the axes and
    their weights are configuration and live in the seed. -#}
{% macro matrix_criteria() %}
    {%- set criteria = [] -%}
    {%- for attribute in score_attributes() -%}
        {%- do criteria.append(attribute.name) -%}
    {%- endfor -%}
    {%- do criteria.extend(['wallet_size', 'share_of_wallet', 'relationship_stage']) -%}
    {{ return(criteria) }}
{% endmacro %}

{#- The matrix's quadrants, in reading order, each with the var that sets the effort its treatment
    asks for (in key-account equivalents, dbt_project.yml) and the treatment in a sales leader's
    words: one sentence, without the quadrant's name (the quadrant column says it), no apostrophe
    (it is written into the SQL as a literal, which DuckDB and Spark escape differently). -#}
{% macro matrix_quadrants() %}
    {{ return([
        {'name': 'invest_for_growth', 'effort_var': 'matrix_effort_invest_for_growth',
         'treatment': 'Senior time, a joint account plan and a team around the account to win more of a large, attractive wallet.'},
        {'name': 'invest_selectively', 'effort_var': 'matrix_effort_invest_selectively',
         'treatment': 'Build access and share where the account can be won, and stop where a year of effort shows no progress.'},
        {'name': 'maintain', 'effort_var': 'matrix_effort_maintain',
         'treatment': 'Keep the service reliable and the relationship warm at a lower cost, and protect the share we have.'},
        {'name': 'streamline', 'effort_var': 'matrix_effort_streamline',
         'treatment': 'Serve through standard, low-cost channels (inside sales, webshop) with little account-manager time.'},
    ]) }}
{% endmacro %}

{#- The effort a quadrant's treatment asks for (`matrix_effort_<quadrant>`), as an exact decimal: the
    sums of portfolio_matrix_effort, and the figures its suggestions write, read the same on every
    engine. -#}
{% macro matrix_effort(quadrant) -%}
    cast({{ var('matrix_effort_' ~ quadrant) }} as decimal(18, 4))
{%- endmacro %}

{#- The words of a suggestion: a figure to one decimal ('2.3'), a whole number ('5'), and 'account'
    or 'accounts' after a count. -#}
{% macro matrix_figure(expression) -%}
    cast(cast(round({{ expression }}, 1) as decimal(18, 1)) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro matrix_whole(expression) -%}
    cast(cast({{ expression }} as bigint) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro matrix_accounts(count) -%}
    case when {{ count }} = 1 then 'account' else 'accounts' end
{%- endmacro %}

{#- The CTEs that place accounts on the matrix, for a `criteria` CTE of one row per customer and
    reporting date with each criterion's value (<criterion>_value, 0..100): matrix_axes (the axes
    sets), criterion_values, axis_means, axis_values and placed (axes set, customer, reporting date,
    attractiveness, strength, quadrant). One placement for today's matrix and the plans' forecast. -#}
{% macro matrix_placement_ctes(criteria) %}
{%- set cut = var('matrix_axis_cut') -%}
matrix_axes as (

    select * from {{ ref('int_matrix_axes_versioned') }}

),

criterion_values as (

    -- Each customer's value of each criterion an axes set weighs.
    select
        matrix_axes.axes_name,
        matrix_axes.axes_version,
        matrix_axes.axis,
        matrix_axes.weight,
        {{ criteria }}.customer_id,
        {{ criteria }}.reporting_date,
        case matrix_axes.criterion
            {% for criterion in matrix_criteria() -%}
            when '{{ criterion }}' then {{ criteria }}.{{ criterion }}_value
            {% endfor -%}
        end as criterion_value

    from {{ criteria }}
    cross join matrix_axes

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
        axes_name,
        axes_version,
        reporting_date,
        customer_id,
        attractiveness,
        strength,
        case
            when attractiveness is null or strength is null then null
            when attractiveness >= {{ cut }} and strength >= {{ cut }} then 'invest_for_growth'
            when attractiveness >= {{ cut }} then 'invest_selectively'
            when strength >= {{ cut }} then 'maintain'
            else 'streamline'
        end as quadrant

    from axis_values

)
{% endmacro %}

{#- A quadrant's treatment in words (matrix_quadrants), null for no quadrant. -#}
{% macro matrix_treatment(quadrant) -%}
    case {{ quadrant }}
        {% for quadrant_row in matrix_quadrants() -%}
        when '{{ quadrant_row.name }}' then '{{ quadrant_row.treatment }}'
        {% endfor -%}
    end
{%- endmacro %}
