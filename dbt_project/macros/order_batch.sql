{#- The order lines an incremental build adds: the rows of the landing files of orders loaded since
    the models were last built (the load ledger less the record the last successful build left,
    orchestration/build_plan.py, which also decides when a build may add rather than rebuild). A
    full build takes every row. A query, not a list passed in: dbt re-parses the whole project when
    a var changes, which would cost a daily run more than its build. -#}
{% macro in_order_batch(source_file='_source_file') -%}
    {%- if is_incremental() -%}
        {#- A build by hand in a database no run has built in has no record yet: it adds every
            file, which replaces the lines already there. -#}
        {%- set built_from = adapter.get_relation(
            database=this.database, schema='meta', identifier='models_built_from') -%}
        {{ source_file }} in (
            select relative_path
            from (
                select relative_path, checksum
                from {{ source('meta', 'load_ledger') }}
                where entity = 'orders'
                {%- if built_from %}
                except
                select relative_path, checksum
                from {{ built_from }}
                where entity = 'orders'
                {%- endif %}
            )
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

