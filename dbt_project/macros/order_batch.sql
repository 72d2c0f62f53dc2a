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


{#- True for the rows of a model that an incremental build's new order lines touch: those whose
    key matches a batch line's. `keys` maps a column of stg_orders to this model's expression for
    it: {'customer_id': 'customer_days.customer_id', 'order_month': 'customer_days.order_month'}.
    A full build touches every row. -#}
{% macro touched_by_order_batch(keys) -%}
    {%- if is_incremental() -%}
        exists (
            select 1
            from {{ ref('stg_orders') }} as batch_line
            where {{ in_order_batch('batch_line._source_file') }}
            {%- for column, expression in keys.items() %}
                and batch_line.{{ column }} = {{ expression }}
            {%- endfor %}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
