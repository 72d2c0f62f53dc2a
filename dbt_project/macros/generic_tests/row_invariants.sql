{#- Several invariants of a model's rows, checked in one pass over it: one dbt node and one query
    instead of one of each per invariant (a run's ~400 nodes cost 30-60 ms each before any data is
    read). Returns every row that breaks one, with the first invariant it breaks. As in
    expression_is_true, an invariant that is null on a row does not fail it. -#}
{% test row_invariants(model, expressions) %}

select
    case
        {%- for expression in expressions %}
        when not ({{ expression }}) then '{{ expression | replace("'", "''") }}'
        {%- endfor %}
    end as broken_invariant,
    *
from {{ model }}
where
    {%- for expression in expressions %}
    {{ "or " if not loop.first }}not ({{ expression }})
    {%- endfor %}

{% endtest %}
