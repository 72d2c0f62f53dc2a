{#- Fails on every combination of the columns that occurs more than once: a composite grain
    check, written here because dbt packages (dbt_utils) may be out of reach. -#}
{% test econ_unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
