{#- The table the dashboard's what-if hands to the warehouse's scoring macro
    (scoring.key_account_selection): the same rows int_scorecard_scores scores, so a definition
    scored on the page agrees with the published scorecard to the last digit. -#}
with

attributes as (

    select * from {{ ref('int_scorecard_attributes_normalised') }}

),

final as (

    select
        customer_id,
        reporting_date,
        account_manager_id,
        capacity_accounts,
        revenue_tier,
        tenure_months,
        is_tenure_censored,
        contribution_t12m,
        mistake_flags,
        {% for attribute in score_attributes() %}
        {{ attribute.name }}_value{% if not loop.last %},{% endif %}
        {% endfor %}

    from attributes

)

select * from final
