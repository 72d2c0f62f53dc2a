with

scored as (

    -- Every definition scores every active customer through the warehouse's scoring macro.
    {{ key_account_selection_per_definition(ref('int_scorecard_attributes_normalised'),
                                            ref('int_scorecard_definitions_versioned')) }}

)

select * from scored
