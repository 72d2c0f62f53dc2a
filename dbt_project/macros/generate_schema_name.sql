{#- Models land in the schema their folder names (staging, marts) rather than dbt's default
    "<target>_<custom>", so analysts find stable names: marts.customer_metrics. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
