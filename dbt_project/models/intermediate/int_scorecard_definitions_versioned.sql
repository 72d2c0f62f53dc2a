{%- set attributes = score_attributes() -%}
{%- set string_type = dbt.type_string() -%}
{#- What the version hashes: the rule, its parameter and every weight, normalised and rounded, so
    "1, 1" and "2, 2" stay one version; the description is wording only and does not count. -#}
{%- set version_parts = [
    "selection_rule",
    "'|'", "coalesce(cast(cast(top_share as decimal(18, 6)) as " ~ string_type ~ "), '')",
    "'|'", "coalesce(cast(top_n as " ~ string_type ~ "), '')",
    "'|'", "coalesce(cast(cast(min_score as decimal(18, 6)) as " ~ string_type ~ "), '')",
    "'|gates='", "coalesce(cast(gate_min_tenure_months as " ~ string_type ~ "), '')",
    "'|'", "coalesce(gate_revenue_tiers, '')",
    "'|'", "cast(coalesce(gate_positive_contribution, false) as " ~ string_type ~ ")",
    "'|'", "cast(coalesce(gate_no_mistake_flags, false) as " ~ string_type ~ ")",
] -%}
{%- for attribute in attributes -%}
    {%- do version_parts.extend([
        "'|" ~ attribute.name ~ "='",
        "cast(cast(" ~ attribute.name ~ "_weight as decimal(18, 6)) as " ~ string_type ~ ")",
    ]) -%}
{%- endfor %}

with

definitions as (

    select * from {{ ref('scorecard_definitions') }}

),

configured as (

    select
        definition_name,
        description,
        selection_rule,
        top_share,
        top_n,
        min_score,
        gate_min_tenure_months,
        upper(gate_revenue_tiers) as gate_revenue_tiers,
        coalesce(gate_positive_contribution, false) as gate_positive_contribution,
        coalesce(gate_no_mistake_flags, false) as gate_no_mistake_flags,
        -- A blank cell in the spreadsheet means "not part of this definition".
        {% for attribute in attributes %}
        cast(coalesce({{ attribute.name }}_weight, 0) as double) as {{ attribute.name }}_configured,
        {% endfor %}
        {% for attribute in attributes -%}
        cast(coalesce({{ attribute.name }}_weight, 0) as double){% if not loop.last %} + {% endif %}
        {%- endfor %} as total_weight

    from definitions

),

normalised as (

    select
        definition_name,
        description,
        selection_rule,
        top_share,
        top_n,
        min_score,
        gate_min_tenure_months,
        gate_revenue_tiers,
        gate_positive_contribution,
        gate_no_mistake_flags,
        {% for attribute in attributes %}
        {{ attribute.name }}_configured,
        {{ attribute.name }}_configured / total_weight as {{ attribute.name }}_weight,
        {% endfor %}
        (
            {% for attribute in attributes if attribute.perspective == 'current' -%}
            {{ attribute.name }}_configured{% if not loop.last %} + {% endif %}
            {%- endfor %}
        ) / total_weight as current_weight_share

    from configured

),

final as (

    select
        definition_name,
        description,
        -- Any change to the rule, its parameter or a weight gives a new version.
        {{ dbt.right(dbt.hash(dbt.concat(version_parts)), 10) }} as definition_version,
        selection_rule,
        top_share,
        top_n,
        min_score,
        gate_min_tenure_months,
        gate_revenue_tiers,
        gate_positive_contribution,
        gate_no_mistake_flags,
        {% for attribute in attributes %}
        {{ attribute.name }}_configured,
        {{ attribute.name }}_weight,
        {% endfor %}
        current_weight_share

    from normalised

)

select * from final
