{#- The scorecard's eight attributes, in display order, each with its perspective: about half
    current performance, half future potential and strategic fit (DESIGN section 1). The list is
    code, not configuration: adding an attribute needs its SQL in int_scorecard_attributes_normalised;
    definitions (the weights) are configuration and live in the scorecard_definitions seed. -#}
{% macro score_attributes() %}
    {{ return([
        {'name': 'revenue_size', 'perspective': 'current'},
        {'name': 'profitability', 'perspective': 'current'},
        {'name': 'margin_quality', 'perspective': 'current'},
        {'name': 'loyalty', 'perspective': 'current'},
        {'name': 'growth', 'perspective': 'future_fit'},
        {'name': 'wallet_headroom', 'perspective': 'future_fit'},
        {'name': 'strategic_fit', 'perspective': 'future_fit'},
        {'name': 'relationship_access', 'perspective': 'future_fit'},
    ]) }}
{% endmacro %}
