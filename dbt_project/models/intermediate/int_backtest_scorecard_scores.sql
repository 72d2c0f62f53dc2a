with

definitions as (

    select * from {{ ref('int_scorecard_definitions_versioned') }}

),

scored as (

    -- Today's definitions applied to the portfolio as it stood at the backtest date, through the
    -- same scoring macro as int_scorecard_scores.
    select
        definitions.definition_name,
        definitions.definition_version,
        selection.*

    from definitions
    cross join lateral {{ call_key_account_selection(ref('int_backtest_scorecard_attributes')) }} as selection

)

select * from scored
