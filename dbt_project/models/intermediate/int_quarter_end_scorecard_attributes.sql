{#- At each quarter-end: the same SQL as the reporting date's model (macros/scorecard_attributes.sql),
    rebuilt only when its inputs change (macros/backtest_cache.sql). -#}
{{ backtest_cached(
    scorecard_attributes(economics='int_quarter_end_customer_economics', tiers='int_quarter_end_customer_tiers',
                         flags='int_quarter_end_customer_flags'),
    backtest_fingerprint_tables(
        ['int_quarter_end_customer_economics', 'int_quarter_end_customer_tiers', 'int_quarter_end_customer_flags'],
        tables=['stg_account_managers']
    )
) }}
