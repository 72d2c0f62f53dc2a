{#- The ordering that picks one row per key when a key arrives more than once: the most recently
    loaded file wins, and within a file the last row. Used as
    `row_number() over (partition by <key> order by {{ latest_loaded_first() }}) = 1`. -#}
{% macro latest_loaded_first() -%}
    _loaded_at desc, _source_file desc, _source_row desc
{%- endmacro %}
