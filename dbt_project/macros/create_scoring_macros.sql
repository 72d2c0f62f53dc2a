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

{% macro default__create_scoring_macros() %}{% endmacro %}

{% macro duckdb__create_scoring_macros() %}
    {%- set settings = {} -%}
    {%- for name in scoring_setting_names() -%}{%- do settings.update({name: name ~ '_param'}) -%}{%- endfor -%}
    create schema if not exists scoring;
    create or replace macro scoring.key_account_selection(
        attributes_table,
        {% for name in scoring_setting_names() %}{{ settings[name] }}{% if not loop.last %}, {% endif %}{% endfor %}
    ) as table
    {{ key_account_selection_sql('query_table(attributes_table)', settings) }}
{% endmacro %}

{#- The settings a selection takes, in the table macro's order: the eight weights, then the rule
    and the gates. -#}
{% macro scoring_setting_names() %}
    {%- set names = [] -%}
    {%- for attribute in score_attributes() %}{% do names.append(attribute.name ~ '_weight') %}{% endfor -%}
    {%- do names.extend(['selection_rule', 'top_share', 'top_n', 'min_score', 'gate_min_tenure_months',
                         'gate_revenue_tiers', 'gate_positive_contribution', 'gate_no_mistake_flags']) -%}
    {{ return(names) }}
{% endmacro %}

{#- The selection's SQL: `attributes_from` what to score (a relation, or DuckDB's
    query_table(...)), `settings` each setting's SQL (a parameter of the table macro, or a
    definition's literal written into the query). -#}
{% macro key_account_selection_sql(attributes_from, settings) %}
    {%- set names = score_attributes() | map(attribute='name') | list -%}
    {%- set weight_columns = [] -%}
    {%- for name in names -%}
        {%- do weight_columns.append(settings[name ~ '_weight'] ~ ' as ' ~ name ~ '_weight') -%}
    {%- endfor -%}
    {%- set weights = "(select 'what_if' as definition_name, " ~ weight_columns | join(', ') ~ ")" -%}
    with

    scored as (

        {{ score_weighted(attributes_from, weights, carry=[
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
                when {{ settings['gate_min_tenure_months'] }} is not null
                    and not (tenure_months >= {{ settings['gate_min_tenure_months'] }}
                        or is_tenure_censored)
                    then 'min_tenure'
                when nullif({{ settings['gate_revenue_tiers'] }}, '') is not null
                    and not contains(upper({{ settings['gate_revenue_tiers'] }}), coalesce(revenue_tier, '-'))
                    then 'revenue_tier'
                when coalesce({{ settings['gate_positive_contribution'] }}, false)
                    and contribution_t12m <= 0
                    then 'positive_contribution'
                when coalesce({{ settings['gate_no_mistake_flags'] }}, false) and mistake_flags > 0
                    then 'mistake_flag'
            end as excluded_by_gate

        from scored

    ),

    ranked as (

        select
            *,
            -- Each reporting date of the attributes (the quarter-ends hold several) is ranked and
            -- selected on its own.
            -- Ranks are bigint on every engine (Spark's row_number is an int).
            cast(row_number() over (partition by reporting_date order by score desc nulls last, customer_id) as bigint)
                as score_rank,
            -- Selection ranks the eligible customers only; the list size still counts all active
            -- customers, so definitions with and without gates pick lists of the same length.
            cast(row_number() over (
                partition by reporting_date
                order by case when excluded_by_gate is null then 0 else 1 end, score desc nulls last, customer_id
            ) as bigint) as eligible_rank,
            count(*) over (partition by reporting_date) as active_customers,
            cast(row_number() over (
                partition by reporting_date, account_manager_id
                order by case when excluded_by_gate is null then 0 else 1 end, score desc nulls last, customer_id
            ) as bigint) as manager_rank

        from gated

    )

    select
        *,
        coalesce(score is not null and excluded_by_gate is null and case {{ settings['selection_rule'] }}
            -- On exact decimals: 4 % of 1,775 is 71 customers, not 72 by a rounding error.
            when 'top_share' then eligible_rank <= ceiling(cast({{ settings['top_share'] }} as decimal(18, 6)) * active_customers)
            when 'top_n' then eligible_rank <= {{ settings['top_n'] }}
            when 'score_threshold' then score >= {{ settings['min_score'] }}
            -- Capacity is what a named manager can carry: no manager (or one missing from the
            -- managers file) means nobody to carry the account.
            when 'manager_capacity' then account_manager_id is not null and manager_rank <= capacity_accounts
        end, false) as is_key_account_computed

    from ranked
{% endmacro %}

{#- Every definition's selection, one row per definition per customer: the selection's SQL once per
    definition, its settings written into the query, for the definitions as they are when the model
    runs (a lateral join over the definitions table computes the same rows at about twice the time
    on DuckDB, since the engine cannot see that each call reads one definition, and Spark has no
    table macro to join). `columns` are the selection's columns to keep, besides definition_name and
    definition_version. -#}
{% macro key_account_selection_per_definition(attributes_relation, definitions_relation, columns=['*']) %}
    {%- set configured = [] -%}
    {%- for name in scoring_setting_names() %}{% do configured.append(name | replace('_weight', '_configured')) %}{% endfor -%}
    {%- set definitions = run_query('select definition_name, definition_version, ' ~ configured | join(', ')
                                    ~ ' from ' ~ definitions_relation ~ ' order by definition_name') if execute else none -%}
    {%- set rows = definitions.rows if definitions and definitions.rows else [[none, none] + [none] * configured | length] -%}
    {%- for definition in rows %}
    select
        {{ scoring_literal(definition[0]) }} as definition_name,
        {{ scoring_literal(definition[1]) }} as definition_version,
        {% for column in columns %}selection.{{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
    from (
        {%- set settings = {} -%}
        {%- for name in scoring_setting_names() %}{% do settings.update({name: scoring_literal(definition[loop.index + 1])}) %}{% endfor %}
        {{ key_account_selection_sql(attributes_relation, settings) }}
    ) as selection
    {#- Before the definitions can be read (parsing), or without any: no rows, the same columns. #}
    {% if definition[0] is none %}where 1 = 0{% endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
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
