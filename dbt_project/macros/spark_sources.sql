{#- The loader's tables on an engine that does not hold them: on Spark each raw table is the Parquet
    folder `kam spark` wrote for it (KAM_SPARK_RAW_DIR/<table>, by default KAM_SPARK_DIR/raw),
    registered as an external table of the `raw` database before any model reads it (on-run-start).
    Dropping an external table leaves its files: it is registered anew on every invocation, so a new
    export with other columns is read as it is. On DuckDB the loader writes the tables itself: nothing to do. -#}
{% macro register_landing_tables() %}
    {{ return(adapter.dispatch('register_landing_tables', 'kam')()) }}
{% endmacro %}

{% macro default__register_landing_tables() %}{% endmacro %}

{% macro spark__register_landing_tables() %}
    {%- if execute -%}
        {#- A cluster reads the folder where its storage has it (an s3a:// or hdfs:// copy). -#}
        {%- set raw_dir = env_var('KAM_SPARK_RAW_DIR', env_var('KAM_SPARK_DIR', '') ~ '/raw') -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.source_name == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source.name) -%}
            {%- do run_query('create table raw.' ~ source.name ~ " using parquet location '"
                             ~ raw_dir ~ '/' ~ source.name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
