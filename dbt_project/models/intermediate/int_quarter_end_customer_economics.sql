{#- The portfolio's economics at each of the last `history_quarters` quarter-ends: the same SQL as
    int_customer_economics (macros/customer_economics.sql), once per quarter-end, every fact cut
    there. Rebuilt only when the history up to the latest quarter-end changes or a new quarter-end
    comes (macros/backtest_cache.sql), so a day's new orders inside a quarter cost nothing here.
    On Spark the earlier quarter-ends are inserted by post-hooks (macros/quarter_end_history.sql). -#}
{{ config(post_hook=quarter_end_inserts()) }}
{% set quarter_ends %}
    {% for quarters_back in quarter_ends_in_model() %}
    select * from ({{ customer_economics(quarters_back=quarters_back) }}) as quarter_end_{{ quarters_back }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
{% endset %}
{{ backtest_cached(quarter_ends, backtest_fingerprint_economics(cut_date=econ_quarter_end_date(0))) }}
