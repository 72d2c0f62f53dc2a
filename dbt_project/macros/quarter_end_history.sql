{#- The quarter-end economics are today's economics SQL once per quarter-end. DuckDB runs every
    quarter-end in one statement (a union). Spark plans a statement as a whole, and eight copies of
    the economics SQL exhausted a 2 GB driver before running (measured with dbt-spark's own
    dateadd, before spark__dateadd shortened the SQL fourfold; one statement was not tried since):
    there the model builds the latest quarter-end and a post-hook inserts each earlier one. -#}
{% macro quarter_ends_in_one_statement() %}
    {{ return(target.type == 'duckdb') }}
{% endmacro %}

{#- The quarter-ends the model's own statement computes (quarters back from the latest). -#}
{% macro quarter_ends_in_model() %}
    {{ return(range(var('history_quarters')) if quarter_ends_in_one_statement() else range(1)) }}
{% endmacro %}

{#- The post-hooks that insert the other quarter-ends, one statement each; none on DuckDB. -#}
{% macro quarter_end_inserts() %}
    {%- set hooks = [] -%}
    {%- if not quarter_ends_in_one_statement() -%}
        {%- for quarters_back in range(1, var('history_quarters')) -%}
            {%- do hooks.append('{{ insert_quarter_end(' ~ quarters_back ~ ') }}') -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(hooks) }}
{% endmacro %}

{% macro insert_quarter_end(quarters_back) %}
    insert into {{ this }}
    {{ backtest_cached(customer_economics(quarters_back=quarters_back), none) }}
{% endmacro %}

{#- The quarter-ends of the history a reader sees: those of `economics` (a relation of
    int_quarter_end_customer_economics rows) with a full year of orders before them, the T12M figures
    every quarter-end is scored on. -#}
{% macro quarter_ends_with_a_year_of_history(economics) %}
    select reporting_date as quarter_end
    from {{ economics }}
    group by reporting_date
    having min(first_order_date) <= {{ dbt.dateadd('day', 1, dbt.dateadd('month', -12, 'reporting_date')) }}
{% endmacro %}
