with

definitions as (

    select * from {{ ref('int_scorecard_definitions_versioned') }}

),

scored as (

    -- Today's definitions applied to the portfolio as it stood at the backtest date, through the
    -- same scoring macro as int_scorecard_scores. The backtest follows the picks only, so only the
    -- selection is kept (the attribute breakdown stays in the macro, unread).
    select
        definitions.definition_name,
        definitions.definition_version,
        selection.customer_id,
        selection.score,
        selection.score_rank,
        selection.excluded_by_gate,
        selection.is_key_account_computed

    from definitions
    cross join lateral {{ call_key_account_selection(ref('int_backtest_scorecard_attributes')) }} as selection

)

select * from scored
