{#- Assessments: each customer's latest account assessment on or before the reporting date.
    Produces assessments_ranked and latest_assessments (the columns of stg_account_assessments and
    assessment_rank, one row per assessed customer). -#}
{% macro econ_assessment_ctes() -%}
    assessments_ranked as (

        select
            assessments.*,
            row_number() over (
                partition by assessments.customer_id order by assessments.assessed_on desc
            ) as assessment_rank

        from assessments
        cross join reporting_window
        where assessments.assessed_on <= reporting_window.reporting_date

    ),

    latest_assessments as (

        select * from assessments_ranked
        where assessment_rank = 1

    )
{%- endmacro %}
