{#- As of the backtest date: the same SQL as the reporting date's model (macros/customer_tiers.sql). -#}
{{ customer_tiers(economics='int_backtest_customer_economics') }}
