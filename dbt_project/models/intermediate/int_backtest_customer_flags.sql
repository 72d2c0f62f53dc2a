{#- As of the backtest date: the same SQL as the reporting date's model (macros/customer_flags.sql),
    rebuilt only when its inputs change (macros/backtest_cache.sql). -#}
{{ backtest_cached(
    customer_flags(economics='int_backtest_customer_economics', tiers='int_backtest_customer_tiers'),
    backtest_fingerprint_tables(['int_backtest_customer_economics', 'int_backtest_customer_tiers'])
) }}
