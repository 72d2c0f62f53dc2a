{#- The one scoring formula. Warehouse models and the dashboard's what-if both go through it, so a
    score computed with custom weights agrees with the published one to the last digit.

    attributes: a relation (or CTE name, or parenthesised query) with customer_id and one
                <attribute>_value column per scorecard attribute (0..100, null when unknown),
                e.g. int_scorecard_attributes_normalised.
    weights:    the same with definition_name and one <attribute>_weight column per attribute:
                relative weights >= 0 on any scale (the scorecard_definitions seed itself works,
                so does a one-row query of slider values); they are normalised here.

    Returns one row per definition and customer. An unknown attribute must not count as zero (that
    would punish a customer for a gap in our data), so its weight is shared among the customer's
    known attributes in proportion to their own weights:
        <attribute>_weight       = weight / sum(weights of the customer's known attributes), 0 when unknown
        <attribute>_contribution = <attribute>_value * <attribute>_weight, 0 when unknown
        score                    = sum of the contributions, 0..100
    known_weight_share (below 1 when weight was redistributed) records that it happened. The score
    is null only when none of the definition's weighted attributes is known for the customer.
    carry: further columns of `attributes` passed through unchanged (what a caller needs beside
    the score, read in the same pass). -#}
{% macro score_weighted(attributes, weights, carry=[]) %}
    {%- set names = score_attributes() | map(attribute='name') | list -%}
    select
        definition_name,
        customer_id,
        {% for column in carry %}{{ column }},{% endfor %}
        {% for name in names %}
        {{ name }}_value,
        {{ name }}_weight,
        {{ name }}_contribution,
        {% endfor %}
        known_weight_share,
        case
            when has_known_weight
                then {% for name in names %}{{ name }}_contribution{% if not loop.last %} + {% endif %}{% endfor %}
        end as score

    from (

        select
            definition_name,
            customer_id,
            {% for column in carry %}{{ column }},{% endfor %}
            known_weight > 0 as has_known_weight,
            known_weight / nullif(total_weight, 0) as known_weight_share,
            {% for name in names %}
            {{ name }}_value,
            case
                when {{ name }}_value is not null and known_weight > 0
                    then {{ name }}_given_weight / known_weight
                else 0
            end as {{ name }}_weight,
            case
                when {{ name }}_value is not null and known_weight > 0
                    then {{ name }}_value * {{ name }}_given_weight / known_weight
                else 0
            end as {{ name }}_contribution{% if not loop.last %},{% endif %}
            {% endfor %}

        from (

            select
                score_weights.definition_name,
                score_attributes.customer_id,
                {% for column in carry %}score_attributes.{{ column }},{% endfor %}
                {% for name in names %}
                score_attributes.{{ name }}_value,
                cast(coalesce(score_weights.{{ name }}_weight, 0) as double) as {{ name }}_given_weight,
                {% endfor %}
                {% for name in names -%}
                cast(coalesce(score_weights.{{ name }}_weight, 0) as double){% if not loop.last %} + {% endif %}
                {%- endfor %} as total_weight,
                {% for name in names -%}
                case
                    when score_attributes.{{ name }}_value is not null
                        then cast(coalesce(score_weights.{{ name }}_weight, 0) as double)
                    else 0
                end{% if not loop.last %} + {% endif %}
                {%- endfor %} as known_weight

            -- Every customer is scored under every definition: the definitions are a handful of
            -- rows, so this is the output grain, not a blow-up.
            from {{ attributes }} as score_attributes
            cross join {{ weights }} as score_weights

        ) as paired

    ) as weighted
{% endmacro %}
