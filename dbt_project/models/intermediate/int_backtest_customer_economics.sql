{#- The portfolio's economics `backtest_months` before the reporting date: the same SQL as
    int_customer_economics (macros/customer_economics.sql). -#}
{{ customer_economics(months_back=var('backtest_months')) }}
