with

attributes as (

    select * from {{ ref('int_scorecard_attributes_normalised') }}

),

definitions as (

    select * from {{ ref('int_scorecard_definitions_versioned') }}

),

scored as (

    {{ score_weighted('attributes', 'definitions') }}

)

select * from scored
