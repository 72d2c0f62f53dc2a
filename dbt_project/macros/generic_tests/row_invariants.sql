{#- Several invariants of a model's rows, checked in one pass over it: one dbt node and one query
    instead of one of each per invariant (each dbt node costs 30-60 ms before any data is read,
    and each test of a big table is a scan of its own). It also carries the model's not-null
    columns ("<column> is not null") for the same reason. Returns every row that breaks one, with
    the first invariant it breaks. As in expression_is_true, an invariant that is null on a row
    does not fail it. -#}
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
