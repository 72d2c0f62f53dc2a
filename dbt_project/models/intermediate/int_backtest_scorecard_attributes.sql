{#- As of the backtest date: the same SQL as the reporting date's model (macros/scorecard_attributes.sql). -#}
{{ scorecard_attributes(economics='int_backtest_customer_economics', tiers='int_backtest_customer_tiers', flags='int_backtest_customer_flags') }}
