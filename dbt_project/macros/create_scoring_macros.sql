{#- Publishes the scorecard's one implementation as a DuckDB table macro in the warehouse:

        scoring.key_account_selection(attributes_table, <eight weights>, selection_rule, top_share,
                                      top_n, min_score, gate_min_tenure_months, gate_revenue_tiers,
                                      gate_positive_contribution, gate_no_mistake_flags)

    It scores every customer of `attributes_table` (a table name; int_scorecard_attributes_normalised,
    the backtest's or the quarter-ends') with `score_weighted`, applies the definition's eligibility
    gates and its selection rule within each reporting date of the table, and returns one row per
    customer and reporting date. int_scorecard_scores calls it once per definition, the backtest on
    the customers as they were a year earlier, the quarter-end history on every quarter-end at once,
    and the dashboard's what-if with the weights on the page: one formula, so their numbers agree.
    Run on every dbt invocation (on-run-start), before any model that calls it. -#}
{% macro create_scoring_macros() %}
    {{ return(adapter.dispatch('create_scoring_macros', 'kam')()) }}
{% endmacro %}

{% macro duckdb__create_scoring_macros() %}
    {%- set names = score_attributes() | map(attribute='name') | list -%}
    {%- set weight_columns = [] -%}
    {%- for name in names -%}
        {%- do weight_columns.append(name ~ '_weight_param as ' ~ name ~ '_weight') -%}
    {%- endfor -%}
    {%- set weights_from_parameters = "(select 'what_if' as definition_name, " ~ weight_columns | join(', ') ~ ")" -%}
    create schema if not exists scoring;
    create or replace macro scoring.key_account_selection(
        attributes_table,
        {% for name in names %}{{ name }}_weight_param, {% endfor %}
        selection_rule_param, top_share_param, top_n_param, min_score_param,
        gate_min_tenure_months_param, gate_revenue_tiers_param, gate_positive_contribution_param,
        gate_no_mistake_flags_param
    ) as table

    with

    scored as (

        {{ score_weighted('query_table(attributes_table)', weights_from_parameters, carry=[
            'reporting_date', 'account_manager_id', 'capacity_accounts', 'revenue_tier', 'tenure_months',
            'is_tenure_censored', 'contribution_t12m', 'mistake_flags',
        ]) }}

    ),

    gated as (

        -- The first gate a customer fails, in the order the seed lists them; null = eligible. A gate
        -- judges only what the data can show: a tenure the export cuts short passes, an unknown
        -- profit passes.
        select
            customer_id,
            reporting_date,
            {% for name in names %}
            {{ name }}_value,
            {{ name }}_weight,
            {{ name }}_contribution,
            {% endfor %}
            known_weight_share,
            score,
            account_manager_id,
            capacity_accounts,
            case
                when gate_min_tenure_months_param is not null
                    and not (tenure_months >= gate_min_tenure_months_param
                        or is_tenure_censored)
                    then 'min_tenure'
                when nullif(gate_revenue_tiers_param, '') is not null
                    and not contains(upper(gate_revenue_tiers_param), coalesce(revenue_tier, '-'))
                    then 'revenue_tier'
                when coalesce(gate_positive_contribution_param, false)
                    and contribution_t12m <= 0
                    then 'positive_contribution'
                when coalesce(gate_no_mistake_flags_param, false) and mistake_flags > 0
                    then 'mistake_flag'
            end as excluded_by_gate

        from scored

    ),

    ranked as (

        select
            *,
            -- Each reporting date of the attributes (the quarter-ends hold several) is ranked and
            -- selected on its own.
            row_number() over (partition by reporting_date order by score desc nulls last, customer_id) as score_rank,
            -- Selection ranks the eligible customers only; the list size still counts all active
            -- customers, so definitions with and without gates pick lists of the same length.
            row_number() over (
                partition by reporting_date
                order by case when excluded_by_gate is null then 0 else 1 end, score desc nulls last, customer_id
            ) as eligible_rank,
            count(*) over (partition by reporting_date) as active_customers,
            row_number() over (
                partition by reporting_date, account_manager_id
                order by case when excluded_by_gate is null then 0 else 1 end, score desc nulls last, customer_id
            ) as manager_rank

        from gated

    )

    select
        *,
        coalesce(score is not null and excluded_by_gate is null and case selection_rule_param
            -- On exact decimals: 4 % of 1,775 is 71 customers, not 72 by a rounding error.
            when 'top_share' then eligible_rank <= ceiling(cast(top_share_param as decimal(18, 6)) * active_customers)
            when 'top_n' then eligible_rank <= top_n_param
            when 'score_threshold' then score >= min_score_param
            -- Capacity is what a named manager can carry: no manager (or one missing from the
            -- managers file) means nobody to carry the account.
            when 'manager_capacity' then account_manager_id is not null and manager_rank <= capacity_accounts
        end, false) as is_key_account_computed

    from ranked
{% endmacro %}

{#- Every definition's selection, one row per definition per customer: a direct call per definition,
    its settings written into the query, for the definitions as they are when the model runs (a
    lateral join over the definitions table computes the same rows at about twice the time, since
    the engine cannot see that each call reads one definition). `columns` are the selection's
    columns to keep, besides definition_name and definition_version. -#}
{% macro key_account_selection_per_definition(attributes_relation, definitions_relation, columns=['*']) %}
    {%- set settings = [] -%}
    {%- for attribute in score_attributes() %}{% do settings.append(attribute.name ~ '_configured') %}{% endfor -%}
    {%- do settings.extend(['selection_rule', 'top_share', 'top_n', 'min_score', 'gate_min_tenure_months',
                            'gate_revenue_tiers', 'gate_positive_contribution', 'gate_no_mistake_flags']) -%}
    {%- set definitions = run_query('select definition_name, definition_version, ' ~ settings | join(', ')
                                    ~ ' from ' ~ definitions_relation ~ ' order by definition_name') if execute else none -%}
    {%- if definitions and definitions.rows -%}
        {%- for definition in definitions.rows %}
    select
        {{ scoring_literal(definition[0]) }} as definition_name,
        {{ scoring_literal(definition[1]) }} as definition_version,
        {% for column in columns %}selection.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    from scoring.key_account_selection(
        '{{ attributes_relation }}',
        {% for value in definition[2:] %}{{ scoring_literal(value) }}{% if not loop.last %}, {% endif %}{% endfor %}
    ) as selection
    {% if not loop.last %}union all{% endif %}
        {%- endfor -%}
    {%- else %}
    {#- Before the definitions can be read (parsing), or without any: the same rows, by a lateral join. #}
    select
        definitions.definition_name,
        definitions.definition_version,
        {% for column in columns %}selection.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    from {{ definitions_relation }} as definitions
    cross join lateral {{ call_key_account_selection(attributes_relation, 'definitions') }} as selection
    {%- endif %}
{% endmacro %}

{#- A definition's setting as an SQL literal. -#}
{% macro scoring_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true -%}true
    {%- elif value is sameas false -%}false
    {%- elif value is string -%}'{{ value | replace("'", "''") }}'
    {%- else -%}cast({{ value }} as double)
    {%- endif -%}
{%- endmacro %}

{#- The call, as a model writes it: `definitions` is a relation with the definition's columns. -#}
{% macro call_key_account_selection(attributes_relation, definitions='definitions') %}
    scoring.key_account_selection(
        '{{ attributes_relation }}',
        {% for attribute in score_attributes() %}{{ definitions }}.{{ attribute.name }}_configured, {% endfor %}
        {{ definitions }}.selection_rule, {{ definitions }}.top_share, {{ definitions }}.top_n,
        {{ definitions }}.min_score, {{ definitions }}.gate_min_tenure_months,
        {{ definitions }}.gate_revenue_tiers, {{ definitions }}.gate_positive_contribution,
        {{ definitions }}.gate_no_mistake_flags
    )
{% endmacro %}
