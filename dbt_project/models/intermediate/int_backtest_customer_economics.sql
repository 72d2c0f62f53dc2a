{#- The portfolio's economics `backtest_months` before the reporting date: the same SQL as
    int_customer_economics (macros/customer_economics.sql), rebuilt only when the backtest date or
    the history up to it changes (macros/backtest_cache.sql). -#}
{{ backtest_cached(
    customer_economics(months_back=var('backtest_months')),
    backtest_fingerprint_economics()
) }}
