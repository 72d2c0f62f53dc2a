{#- The SQL lives in macros/customer_economics.sql, shared with the backtest. -#}
{{ customer_economics() }}
