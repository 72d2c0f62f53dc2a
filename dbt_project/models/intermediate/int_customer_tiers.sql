{#- The SQL lives in macros/customer_tiers.sql, shared with the backtest. -#}
{{ customer_tiers() }}
