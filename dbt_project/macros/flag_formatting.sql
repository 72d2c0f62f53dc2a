{#- Number formatting for the sentences that explain a flag or an exit review, e.g.
    'Revenue €2.1M (top 20 %) but net margin −1.2 % after €180k cost to serve'. Readers are sales
    leaders, so amounts are rounded to what a slide would show and negatives carry a real minus
    sign. The same text on every engine: figures are rounded half up on exact decimals
    (flag_round_to_text), in portable SQL only. -#}

{#- An expression as text, in the engine's own string type. -#}
{% macro flag_to_text(expression) -%}
    cast({{ expression }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- A figure of 0 or more rounded half up to `decimals` places, as text: 2.65 -> '2.7'. Rounded as a
    decimal: a double's own rounding (round, printf) differs between engines where its binary value
    falls just below the half (2.65 is 2.6499999999999999...). -#}
{% macro flag_round_to_text(figure, decimals) -%}
    {{ flag_to_text('round(cast(' ~ figure ~ ' as decimal(38, 6)), ' ~ decimals ~ ')') }}
{%- endmacro %}

{#- The sign amounts are written with: € for var currency EUR, $ for USD, £ for GBP; any other
    code followed by a space ('CHF 2.1M'). -#}
{% macro currency_symbol() -%}
    {%- set code = var('currency') | upper -%}
    {{- return({'EUR': '€', 'USD': '$', 'GBP': '£', 'JPY': '¥'}.get(code, code ~ ' ')) -}}
{%- endmacro %}

{#- An amount as €2.1M, €180k, €4.2k or €950 (sign: currency_symbol()); null stays null. -#}
{% macro flag_format_money(amount) -%}
    {%- set magnitude = 'abs(cast(' ~ amount ~ ' as double))' -%}
    {%- set rounded -%}
        case
            when {{ magnitude }} >= 999500
                then {{ dbt.concat([flag_round_to_text(magnitude ~ ' / 1000000', 1), "'M'"]) }}
            when {{ magnitude }} >= 9995
                then {{ dbt.concat([flag_round_to_text(magnitude ~ ' / 1000', 0), "'k'"]) }}
            when {{ magnitude }} >= 999.5
                then {{ dbt.concat([flag_round_to_text(magnitude ~ ' / 1000', 1), "'k'"]) }}
            else {{ flag_round_to_text(magnitude, 0) }}
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

{#- A share (0..1) as a percentage: 0.0123 -> '1.2 %'. signed=true, for growth, writes '+' before
    what is not a loss ('+0.0 %' for none). -#}
{% macro flag_format_percent(share, decimals=1, signed=false) -%}
    {{ dbt.concat([
        "case when " ~ share ~ " < 0 then '−' else '" ~ ('+' if signed else '') ~ "' end",
        flag_round_to_text('abs(cast(' ~ share ~ ' as double)) * 100', decimals),
        "' %'",
    ]) }}
{%- endmacro %}

{#- A plain figure with a fixed number of decimals: a 1-5 score, a volatility. -#}
{% macro flag_format_number(value, decimals=1) -%}
    {{ dbt.concat([
        "case when " ~ value ~ " < 0 then '−' else '' end",
        flag_round_to_text('abs(cast(' ~ value ~ ' as double))', decimals),
    ]) }}
{%- endmacro %}
