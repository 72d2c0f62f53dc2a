{#- Cost to serve: each customer's service costs over the T12M, and whether there are service costs
    at all.
    Produces service_cost_input (has_service_costs, one row) and service_facts (customer_id,
    cost_to_serve_t12m). -#}
{% macro econ_cost_to_serve_ctes() -%}
    service_cost_input as (

        -- No service-cost file at all means cost to serve is unknown, not zero.
        select count(*) > 0 as has_service_costs
        from service_costs

    ),

    service_facts as (

        select
            service_costs.customer_id,
            sum(service_costs.cost) as cost_to_serve_t12m

        from service_costs
        cross join reporting_window
        where service_costs.activity_date > reporting_window.t12m_after
            and service_costs.activity_date <= reporting_window.reporting_date
        group by service_costs.customer_id

    )
{%- endmacro %}
