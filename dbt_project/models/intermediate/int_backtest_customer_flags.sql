{#- As of the backtest date: the same SQL as the reporting date's model (macros/customer_flags.sql). -#}
{{ customer_flags(economics='int_backtest_customer_economics', tiers='int_backtest_customer_tiers') }}
