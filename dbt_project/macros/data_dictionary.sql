{#- The YAML descriptions as the warehouse's own data dictionary: DuckDB table and column comments
    an analyst reads in duckdb_tables() and duckdb_columns() (docs/data-dictionary.md).

    Models, the seed and the snapshot get theirs from persist_docs (dbt_project.yml) as they are
    built, through the two adapter macros below; the sources (the raw and meta tables the loader
    creates, models/staging/_sources.yml and _meta_sources.yml) from persist_source_docs after
    every dbt invocation (on-run-end). Either way the YAML is the one place a description is
    written. -#}

{#- dbt-duckdb's own macros, with the text trimmed: a folded YAML description (`>`) ends in a
    newline that would end every comment; a column without a description gets no comment rather
    than an empty one. -#}
{% macro duckdb__alter_relation_comment(relation, comment) %}
  comment on {{ relation.type }} {{ relation }} is {{ duckdb_escape_comment(comment | trim) }};
{% endmacro %}

{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {% for column_name in column_dict if column_dict[column_name]['description'] | trim %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }} is {{ duckdb_escape_comment(column_dict[column_name]['description'] | trim) }};
  {% endfor %}
{% endmacro %}

{#- The sources' descriptions as comments on their tables and columns. A source table or column
    not in the database (a working database from before it existed) is skipped; nothing runs
    while dbt only parses, nor on an engine other than DuckDB (Spark keeps no column comments on
    the external Parquet tables the sources are there). -#}
{% macro persist_source_docs() %}
    {%- if not execute or not graph.sources or target.type != 'duckdb' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set schemas = graph.sources.values() | map(attribute='schema') | unique | list -%}
    {%- set found = run_query(
        "select table_schema, table_name, column_name from information_schema.columns "
        ~ "where table_catalog = current_database() and table_schema in ('"
        ~ schemas | join("', '") ~ "')"
    ) -%}
    {%- set existing = {} -%}
    {%- for row in found.rows -%}
        {%- do existing.setdefault(row[0] ~ '.' ~ row[1], []).append(row[2] | lower) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for source in graph.sources.values() -%}
        {%- set table_key = source.schema ~ '.' ~ source.identifier -%}
        {%- if table_key in existing -%}
            {%- set relation = api.Relation.create(
                database=source.database, schema=source.schema, identifier=source.identifier,
                type='table') -%}
            {%- if source.description | trim -%}
                {%- do statements.append('comment on table ' ~ relation ~ ' is '
                    ~ duckdb_escape_comment(source.description | trim)) -%}
            {%- endif -%}
            {%- for column in source.columns.values()
                if column.description | trim and column.name | lower in existing[table_key] -%}
                {%- do statements.append('comment on column ' ~ relation ~ '.'
                    ~ adapter.quote(column.name) ~ ' is '
                    ~ duckdb_escape_comment(column.description | trim)) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{% endmacro %}
