{#- A continuous quantile (linear interpolation between the two nearest values) as an aggregate.
    `percentile_cont ... within group` is the ANSI form (Postgres, Spark 3.3+); DuckDB's own
    `quantile_cont` is kept behind the dispatch because it is not portable. -#}
{% macro econ_quantile(expression, fraction) -%}
    {{ return(adapter.dispatch('econ_quantile', 'kam')(expression, fraction)) }}
{%- endmacro %}

{% macro default__econ_quantile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__econ_quantile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- The same quantile over every row of the query, as a window: it keeps a per-row query in one pass
    instead of joining it to an aggregate of itself (which computes the whole query twice). -#}
{% macro econ_quantile_over_all(expression, fraction) -%}
    {{ return(adapter.dispatch('econ_quantile_over_all', 'kam')(expression, fraction)) }}
{%- endmacro %}

{% macro default__econ_quantile_over_all(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }}) over ()
{%- endmacro %}

{% macro duckdb__econ_quantile_over_all(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }}) over ()
{%- endmacro %}
