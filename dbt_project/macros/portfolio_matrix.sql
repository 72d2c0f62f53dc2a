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
    words (one sentence, no apostrophe: it is written into the SQL as a literal, which DuckDB and
    Spark escape differently). -#}
{% macro matrix_quadrants() %}
    {{ return([
        {'name': 'invest_for_growth', 'effort_var': 'matrix_effort_invest_for_growth',
         'treatment': 'Invest for growth: senior time, a joint account plan and a team around the account to win more of a large, attractive wallet.'},
        {'name': 'invest_selectively', 'effort_var': 'matrix_effort_invest_selectively',
         'treatment': 'Invest selectively: build access and share where the account can be won, and stop where a year of effort shows no progress.'},
        {'name': 'maintain', 'effort_var': 'matrix_effort_maintain',
         'treatment': 'Maintain: keep the service reliable and the relationship warm at a lower cost, and protect the share we have.'},
        {'name': 'streamline', 'effort_var': 'matrix_effort_streamline',
         'treatment': 'Streamline: serve through standard, low-cost channels (inside sales, webshop) with little account-manager time.'},
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
