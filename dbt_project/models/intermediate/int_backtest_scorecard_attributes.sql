{#- As of the backtest date: the same SQL as the reporting date's model (macros/scorecard_attributes.sql),
    rebuilt only when its inputs change (macros/backtest_cache.sql). -#}
{{ backtest_cached(
    scorecard_attributes(economics='int_backtest_customer_economics', tiers='int_backtest_customer_tiers',
                         flags='int_backtest_customer_flags'),
    backtest_fingerprint_tables(
        ['int_backtest_customer_economics', 'int_backtest_customer_tiers', 'int_backtest_customer_flags'],
        tables=['stg_account_managers']
    )
) }}
