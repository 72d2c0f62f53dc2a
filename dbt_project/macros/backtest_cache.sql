{#- The backtest's models describe the portfolio as it stood at the backtest date, which moves once
    a month. Rebuilding them every day would cost a second pass over the whole order history for
    figures that have not changed, so each is kept while nothing it is built from has changed:

        cache key = md5(the model's compiled SQL, which holds every var and macro it uses
                        | a fingerprint of its inputs: a content hash of the rows it reads)

    The key is stored in the table (`backtest_cache_key`). When the stored key equals the new one,
    the model copies itself (`select * from` the existing table); otherwise it is computed afresh.
    A new backtest date, a corrected order before it, a changed definition or a new release all
    change the key.

    backtest_cached(sql, fingerprint_sql, code_read_by_name): the model's SQL, cached. fingerprint_sql
    returns one row that hashes the inputs (backtest_fingerprint_* below); code_read_by_name is
    code the SQL calls without holding it (the warehouse's scoring macro). -#}
{% macro backtest_cached(sql, fingerprint_sql, code_read_by_name='') %}
    {{ return(adapter.dispatch('backtest_cached', 'kam')(sql, fingerprint_sql, code_read_by_name)) }}
{% endmacro %}

{% macro default__backtest_cached(sql, fingerprint_sql, code_read_by_name) %}
    {#- Engines without a row hash compute the backtest every run. -#}
    select computed.*, cast(null as {{ dbt.type_string() }}) as backtest_cache_key from ({{ sql }}) as computed
{% endmacro %}

{% macro duckdb__backtest_cached(sql, fingerprint_sql, code_read_by_name) %}
    {%- set key = none -%}
    {%- set cached = false -%}
    {%- if execute -%}
        {%- set fingerprint = run_query(fingerprint_sql).rows[0] | join('|') -%}
        {%- set key = local_md5(sql ~ '|' ~ code_read_by_name ~ '|' ~ fingerprint) -%}
        {%- set existing = adapter.get_relation(database=this.database, schema=this.schema, identifier=this.identifier) -%}
        {%- if existing is not none
            and 'backtest_cache_key' in adapter.get_columns_in_relation(existing) | map(attribute='name') | list -%}
            {%- set stored = run_query("select count(*) from " ~ existing ~ " where backtest_cache_key = '" ~ key ~ "'") -%}
            {%- set cached = stored.rows[0][0] > 0 -%}
        {%- endif -%}
    {%- endif -%}
    {%- if cached -%}
    -- Unchanged since the last build (cache key {{ key }}): the existing rows are kept.
    select * from {{ this }}
    {%- else -%}
    -- An upstream backtest model's key that came along is replaced by this model's own.
    select columns(lambda column_name: column_name <> 'backtest_cache_key'), '{{ key }}' as backtest_cache_key
    from ({{ sql }}) as computed
    {%- endif -%}
{% endmacro %}

{#- The inputs of economics as of an earlier date (every ref of macros/customer_economics.sql):
    customer days and months up to it, the customers, their wallets up to its calendar year,
    service costs and assessments up to it. cut_date: that date as an aggregate over order days,
    computed as the economics compute it; the backtest date unless given (the quarter-end history
    passes its latest quarter-end, which every earlier one's inputs are part of). -#}
{% macro backtest_fingerprint_economics(cut_date=none) %}
    with

    backtest as (

        select {{ cut_date or econ_earlier_reporting_date(var('backtest_months')) }} as backtest_date
        from {{ ref('int_customer_days_aggregated') }}

    )

    select
        (select count(*) || ':' || sum(hash(days)) from {{ ref('int_customer_days_aggregated') }} as days, backtest
            where days.order_date <= backtest.backtest_date),
        (select count(*) || ':' || sum(hash(months)) from {{ ref('int_customer_months_aggregated') }} as months, backtest
            where months.month_start <= backtest.backtest_date),
        (select count(*) || ':' || sum(hash(customers)) from {{ ref('stg_customers') }} as customers),
        (select count(*) || ':' || sum(hash(wallets)) from {{ ref('int_customer_wallets_estimated') }} as wallets, backtest
            where wallets.calendar_year <= extract(year from backtest.backtest_date)),
        (select count(*) || ':' || sum(hash(costs)) from {{ ref('stg_service_costs') }} as costs, backtest
            where costs.activity_date <= backtest.backtest_date),
        -- Whether there are service costs at all decides unknown against zero.
        (select count(*) > 0 from {{ ref('stg_service_costs') }}),
        (select count(*) || ':' || sum(hash(assessments)) from {{ ref('stg_account_assessments') }} as assessments, backtest
            where assessments.assessed_on <= backtest.backtest_date),
        (select max(backtest_date) from backtest)
{% endmacro %}

{#- The inputs of a backtest model downstream of the economics: the other backtest models it reads
    by their cache keys, any other table by its content. -#}
{% macro backtest_fingerprint_tables(backtest_models, tables=[]) %}
    select
        {% for model in backtest_models %}
        (select max(backtest_cache_key) from {{ ref(model) }}),
        {% endfor %}
        {% for table in tables %}
        (select count(*) || ':' || coalesce(sum(hash(t)), 0) from {{ ref(table) }} as t),
        {% endfor %}
        1
{% endmacro %}
