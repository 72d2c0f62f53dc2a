{#- Today's definitions applied at every quarter-end at once, through the same scoring macro as
    int_scorecard_scores (it ranks and selects within each reporting date), rebuilt only when its
    inputs or the definitions change (macros/backtest_cache.sql). -#}
{% set scored %}
{{ key_account_selection_per_definition(
    ref('int_quarter_end_scorecard_attributes'),
    ref('int_scorecard_definitions_versioned'),
    columns=['customer_id', 'reporting_date', 'score', 'score_rank', 'excluded_by_gate', 'is_key_account_computed']
) }}
{% endset %}
{{ backtest_cached(
    scored,
    backtest_fingerprint_tables(['int_quarter_end_scorecard_attributes'], tables=['int_scorecard_definitions_versioned']),
    code_read_by_name=create_scoring_macros()
) }}
