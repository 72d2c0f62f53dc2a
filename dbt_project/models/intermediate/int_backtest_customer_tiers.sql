{#- As of the backtest date: the same SQL as the reporting date's model (macros/customer_tiers.sql),
    rebuilt only when its input changes (macros/backtest_cache.sql). -#}
{{ backtest_cached(
    customer_tiers(economics='int_backtest_customer_economics'),
    backtest_fingerprint_tables(['int_backtest_customer_economics'])
) }}
