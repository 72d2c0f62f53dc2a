{#- The SQL lives in macros/scorecard_attributes.sql, shared with the backtest. -#}
{{ scorecard_attributes() }}
