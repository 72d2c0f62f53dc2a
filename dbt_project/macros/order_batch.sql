{#- The order lines an incremental build adds: the rows of the landing files of orders loaded since
    the models were last built (the load ledger less the record the last successful build left,
    orchestration/build_plan.py, which also decides when a build may add rather than rebuild). A
    full build takes every row. A query, not a list passed in: dbt re-parses the whole project when
    a var changes, which would cost a daily run more than its build. -#}
{% macro in_order_batch(source_file='_source_file') -%}
    {%- if is_incremental() -%}
        {{ source_file }} in (
            select relative_path
            from (
                select relative_path, checksum
                from {{ source('meta', 'load_ledger') }}
                where entity = 'orders'
                except
                select relative_path, checksum
                from {{ source('meta', 'models_built_from') }}
                where entity = 'orders'
            )
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
