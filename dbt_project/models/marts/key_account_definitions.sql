with

versioned as (

    select * from {{ ref('int_scorecard_definitions_versioned') }}

),

final as (

    select * from versioned

)

select * from final
