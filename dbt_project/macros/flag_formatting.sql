{#- Number formatting for the sentences that explain a flag or an exit review, e.g.
    'Revenue €2.1M (top 20 %) but net margin −1.2 % after €180k cost to serve'. Readers are sales
    leaders, so amounts are rounded to what a slide would show and negatives carry a real minus
    sign. Dispatched because DuckDB formats with printf while other engines need ANSI casts. -#}

{#- An expression as text, in the engine's own string type. -#}
{% macro flag_to_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- The sign amounts are written with: € for var currency EUR, $ for USD, £ for GBP; any other
    code followed by a space ('CHF 2.1M'). -#}
{% macro currency_symbol() -%}
    {%- set code = var('currency') | upper -%}
    {{- return({'EUR': '€', 'USD': '$', 'GBP': '£', 'JPY': '¥'}.get(code, code ~ ' ')) -}}
{%- endmacro %}

{#- An amount as €2.1M, €180k, €4.2k or €950 (sign: currency_symbol()); null stays null. -#}
{% macro flag_format_money(amount) -%}
    {{ return(adapter.dispatch('flag_format_money', 'kam')(amount)) }}
{%- endmacro %}

{% macro default__flag_format_money(amount) -%}
    {%- set magnitude = 'abs(cast(' ~ amount ~ ' as double))' -%}
    {%- set rounded -%}
        case
            when {{ magnitude }} >= 999500
                then {{ dbt.concat([flag_to_text('cast(round(' ~ magnitude ~ ' / 1000000, 1) as decimal(18, 1))'), "'M'"]) }}
            when {{ magnitude }} >= 9995
                then {{ dbt.concat([flag_to_text('cast(round(' ~ magnitude ~ ' / 1000, 0) as decimal(18, 0))'), "'k'"]) }}
            when {{ magnitude }} >= 999.5
                then {{ dbt.concat([flag_to_text('cast(round(' ~ magnitude ~ ' / 1000, 1) as decimal(18, 1))'), "'k'"]) }}
            else {{ flag_to_text('cast(round(' ~ magnitude ~ ', 0) as decimal(18, 0))') }}
        end
    {%- endset -%}
    case
        when {{ amount }} is null then null
        else {{ dbt.concat([
            "case when " ~ amount ~ " < 0 then '−' else '' end",
            "'" ~ currency_symbol() ~ "'",
            rounded,
        ]) }}
    end
{%- endmacro %}

{% macro duckdb__flag_format_money(amount) -%}
    {%- set magnitude = 'abs(cast(' ~ amount ~ ' as double))' -%}
    case
        when {{ amount }} is null then null
        else (case when {{ amount }} < 0 then '−' else '' end) || '{{ currency_symbol() }}' || case
            when {{ magnitude }} >= 999500 then printf('%.1fM', {{ magnitude }} / 1000000)
            when {{ magnitude }} >= 9995 then printf('%.0fk', {{ magnitude }} / 1000)
            when {{ magnitude }} >= 999.5 then printf('%.1fk', {{ magnitude }} / 1000)
            else printf('%.0f', {{ magnitude }})
        end
    end
{%- endmacro %}

{#- A share (0..1) as a percentage: 0.0123 -> '1.2 %'; signed=true adds '+' to gains, for growth. -#}
{% macro flag_format_percent(share, decimals=1, signed=false) -%}
    {{ return(adapter.dispatch('flag_format_percent', 'kam')(share, decimals, signed)) }}
{%- endmacro %}

{% macro default__flag_format_percent(share, decimals=1, signed=false) -%}
    {%- set plus = "when " ~ share ~ " > 0 then '+' " if signed else "" -%}
    {{ dbt.concat([
        "case when " ~ share ~ " < 0 then '−' " ~ plus ~ "else '' end",
        flag_to_text('cast(round(abs(cast(' ~ share ~ ' as double)) * 100, ' ~ decimals ~ ') as decimal(18, ' ~ decimals ~ '))'),
        "' %'",
    ]) }}
{%- endmacro %}

{% macro duckdb__flag_format_percent(share, decimals=1, signed=false) -%}
    replace(printf('{{ "%+" if signed else "%" }}.{{ decimals }}f %%', cast({{ share }} as double) * 100), '-', '−')
{%- endmacro %}

{#- A plain figure with a fixed number of decimals: a 1-5 score, a volatility. -#}
{% macro flag_format_number(value, decimals=1) -%}
    {{ return(adapter.dispatch('flag_format_number', 'kam')(value, decimals)) }}
{%- endmacro %}

{% macro default__flag_format_number(value, decimals=1) -%}
    replace({{ flag_to_text('cast(round(cast(' ~ value ~ ' as double), ' ~ decimals ~ ') as decimal(18, ' ~ decimals ~ '))') }}, '-', '−')
{%- endmacro %}

{% macro duckdb__flag_format_number(value, decimals=1) -%}
    replace(printf('%.{{ decimals }}f', cast({{ value }} as double)), '-', '−')
{%- endmacro %}
