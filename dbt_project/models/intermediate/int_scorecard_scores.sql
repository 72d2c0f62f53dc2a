with

definitions as (

    select * from {{ ref('int_scorecard_definitions_versioned') }}

),

scored as (

    -- The scoring macro reads the attributes table by name, once per definition.
    select
        definitions.definition_name,
        selection.*

    from definitions
    cross join lateral {{ call_key_account_selection(ref('int_scorecard_attributes_normalised')) }} as selection

)

select * from scored
