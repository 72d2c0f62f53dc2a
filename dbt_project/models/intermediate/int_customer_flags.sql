{#- The SQL lives in macros/customer_flags.sql, shared with the backtest. -#}
{{ customer_flags() }}
