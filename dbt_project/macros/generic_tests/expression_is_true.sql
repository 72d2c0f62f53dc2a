{#- Fails on every row where the invariant does not hold. Written here rather than taken from a
    package: dbt packages download from the dbt Hub, which production machines may not reach. -#}
{% test expression_is_true(model, expression, column_name=None) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
