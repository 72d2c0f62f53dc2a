{#- What DuckDB and Spark write differently, each in one place (the scorecard's quantiles, money
    formatting and the backtest cache have their own files). -#}

{#- A timestamp written with its offset ('2025-06-30T14:05:09Z') as the UTC wall-clock time,
    whatever the session's time zone. -#}
{% macro utc_timestamp(expression) %}
    {{ return(adapter.dispatch('utc_timestamp', 'kam')(expression)) }}
{% endmacro %}

{% macro default__utc_timestamp(expression) -%}
    cast({{ expression }} as timestamptz) at time zone 'UTC'
{%- endmacro %}

{% macro spark__utc_timestamp(expression) -%}
    to_utc_timestamp(cast({{ expression }} as timestamp), current_timezone())
{%- endmacro %}

{#- The line-level models add a day's new lines to what they built before where the engine can
    delete and insert by key (DuckDB); elsewhere they are rebuilt whole: Spark's Parquet tables
    have no delete, and its merge needs a table format (Delta, Iceberg) this project does not
    assume. -#}
{% macro order_lines_materialization() %}
    {{ return('incremental' if target.type == 'duckdb' else 'table') }}
{% endmacro %}

{#- dbt-spark's session connection writes a seed's values into the SQL without escaping them, so a
    description holding an apostrophe ("the customer's") breaks the insert: the values are written
    here as escaped Spark literals instead. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for value in row -%}
                    {%- set column_name = agate_table.column_names[loop.index0] -%}
                    {%- set type = column_override.get(column_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    cast({{ spark_literal(value) }} as {{ type }}){% if not loop.last %}, {% endif %}
                {%- endfor -%}){% if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first %}{% do statements.append(sql) %}{% endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{% macro spark_literal(value) -%}
    {%- if value is none -%}null
    {%- elif value is sameas true or value is sameas false -%}{{ value | string | lower }}
    {%- elif value is number -%}{{ value }}
    {%- else -%}'{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{#- dbt.dateadd on Spark, for the dates this project moves (order and reporting dates, never a time
    of day): dbt-spark's own writes its argument twelve times to carry a clock time across, so the
    nested calls of a quarter-end date grew to 2,000 lines of SQL that Spark took 17 s to analyse and
    optimise per statement. Spark's add_months keeps a month's end as DuckDB's interval does
    (31 March less a month is 29 February in a leap year). -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set months = {'month': 1, 'quarter': 3, 'year': 12} -%}
    {%- set days = {'day': 1, 'week': 7} -%}
    {%- if datepart in months -%}
        add_months({{ from_date_or_timestamp }}, cast(({{ interval }}) * {{ months[datepart] }} as int))
    {%- elif datepart in days -%}
        date_add({{ from_date_or_timestamp }}, cast(({{ interval }}) * {{ days[datepart] }} as int))
    {%- else -%}
        {{ exceptions.raise_compiler_error("dateadd by " ~ datepart ~ " is not written for Spark: this project moves dates by days, weeks, months, quarters or years") }}
    {%- endif -%}
{%- endmacro %}

{#- A contract's not_null constraints, where the engine does not enforce them itself: Spark accepts
    them only on a table format (Delta, Iceberg), and its plain Parquet tables would take the nulls
    silently. After each contracted model is built, the nulls in its not_null columns are counted and
    the build fails on any, as DuckDB fails a constraint. A post-hook (dbt_project.yml). -#}
{% macro enforce_not_null_constraints() %}
    {{ return(adapter.dispatch('enforce_not_null_constraints', 'kam')()) }}
{% endmacro %}

{% macro duckdb__enforce_not_null_constraints() %}{% endmacro %}

{% macro default__enforce_not_null_constraints() %}
    {%- if execute and model.config.get('contract', {}).get('enforced') -%}
        {%- set checked = [] -%}
        {%- for name, column in model.columns.items() -%}
            {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
                {%- do checked.append(name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if checked -%}
            {%- set sums = [] -%}
            {%- for name in checked -%}
                {%- do sums.append('sum(case when ' ~ name ~ ' is null then 1 else 0 end)') -%}
            {%- endfor -%}
            {%- set nulls = run_query('select ' ~ sums | join(', ') ~ ' from ' ~ this).rows[0] -%}
            {%- for name in checked -%}
                {%- if nulls[loop.index0] -%}
                    {{ exceptions.raise_compiler_error(this ~ '.' ~ name ~ ' is null in ' ~ nulls[loop.index0]
                        ~ ' row(s): the contract says not null') }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- The values of a group, sorted and joined by `delimiter` (an SQL string literal); null when the
    group holds none. dbt.listagg on Spark ignores its `order by` and gives '' for no values. -#}
{% macro sorted_list(expression, delimiter) %}
    {{ return(adapter.dispatch('sorted_list', 'kam')(expression, delimiter)) }}
{% endmacro %}

{% macro default__sorted_list(expression, delimiter) -%}
    {{ dbt.listagg(expression, delimiter, "order by " ~ expression) }}
{%- endmacro %}

{% macro spark__sorted_list(expression, delimiter) -%}
    nullif(array_join(array_sort(collect_list({{ expression }})), {{ delimiter }}), '')
{%- endmacro %}

{#- Month boundaries from `start_date` to `end_date` (2025-01-31 to 2025-02-01 is one month), as
    DuckDB's datediff counts them. dbt-spark's datediff goes through months_between, which is one
    month more where the later date is a month's last day and the earlier one's day is later in its
    month (2022-10-31 to 2026-09-30: 48 instead of 47). -#}
{% macro month_difference(start_date, end_date) -%}
    ((extract(year from {{ end_date }}) - extract(year from {{ start_date }})) * 12
        + extract(month from {{ end_date }}) - extract(month from {{ start_date }}))
{%- endmacro %}
