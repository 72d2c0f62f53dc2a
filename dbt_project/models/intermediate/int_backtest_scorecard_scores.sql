{#- Today's definitions applied to the portfolio as it stood at the backtest date, through the same
    scoring macro as int_scorecard_scores, rebuilt only when its inputs or the definitions change
    (macros/backtest_cache.sql). The backtest follows the picks only, so only the selection is kept
    (the attribute breakdown stays in the macro, unread). -#}
{% set scored %}
{{ key_account_selection_per_definition(
    ref('int_backtest_scorecard_attributes'),
    ref('int_scorecard_definitions_versioned'),
    columns=['customer_id', 'score', 'score_rank', 'excluded_by_gate', 'is_key_account_computed']
) }}
{% endset %}
{{ backtest_cached(
    scored,
    backtest_fingerprint_tables(['int_backtest_scorecard_attributes'], tables=['int_scorecard_definitions_versioned']),
    code_read_by_name=create_scoring_macros()
) }}
