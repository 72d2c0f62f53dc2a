-- The default `balanced` and the revenue-only `the_big_ones` are named by the shared interface and
-- the definition comparison; deleting either from the seed must fail loudly, not blank a column.
with

required as (

    select 'balanced' as definition_name
    union all
    select 'the_big_ones' as definition_name

)

select required.definition_name
from required
left join {{ ref('scorecard_definitions') }} as definitions
    on required.definition_name = definitions.definition_name
where definitions.definition_name is null
