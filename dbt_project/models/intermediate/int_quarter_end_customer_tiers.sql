{#- At each quarter-end: the same SQL as the reporting date's model (macros/customer_tiers.sql),
    tiering each quarter-end's portfolio on its own, rebuilt only when its input changes
    (macros/backtest_cache.sql). -#}
{{ backtest_cached(
    customer_tiers(economics='int_quarter_end_customer_economics'),
    backtest_fingerprint_tables(['int_quarter_end_customer_economics'])
) }}
