{#- At each quarter-end: the same SQL as the reporting date's model (macros/customer_flags.sql),
    rebuilt only when its inputs change (macros/backtest_cache.sql). -#}
{{ backtest_cached(
    customer_flags(economics='int_quarter_end_customer_economics', tiers='int_quarter_end_customer_tiers'),
    backtest_fingerprint_tables(['int_quarter_end_customer_economics', 'int_quarter_end_customer_tiers'])
) }}
