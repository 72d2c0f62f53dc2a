{#- Fails on every group (e.g. a set of matrix axes) that does not give each of `values` (e.g. both
    axes) a positive total weight: a group missing one, or weighing it with zeros only, could not
    place a single row on it. Returns the group and the value it lacks. -#}
{% test every_group_weighs_each_value(model, group_column, value_column, weight_column, values) %}

with

totals as (

    select
        {{ group_column }} as group_key,
        {{ value_column }} as value_key,
        sum(case when {{ weight_column }} > 0 then {{ weight_column }} else 0 end) as total_weight
    from {{ model }}
    group by {{ group_column }}, {{ value_column }}

),

groups as (

    select distinct {{ group_column }} as group_key
    from {{ model }}

),

expected as (

    {% for value in values -%}
    select '{{ value }}' as value_key
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    groups.group_key,
    expected.value_key,
    totals.total_weight
from groups
cross join expected
left join totals
    on groups.group_key = totals.group_key
    and expected.value_key = totals.value_key
where coalesce(totals.total_weight, 0) <= 0

{% endtest %}
