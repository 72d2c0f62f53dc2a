with

selections as (

    select * from {{ ref('int_scorecard_selections') }}

),

economics as (

    select * from {{ ref('int_customer_economics') }}

),

per_customer as (

    select
        customer_id,
        -- What each definition picks on its own, before manual overrides: the comparison is
        -- between definitions, and an override would show up under every one of them.
        sum(case when is_key_account_computed then 1 else 0 end) as selecting_definitions_count,
        {{ sorted_list("case when is_key_account_computed then definition_name end", "', '") }}
            as selecting_definitions,
        max(override_status) as override_status,
        coalesce(max(case when definition_name = 'balanced' and is_key_account then 1 else 0 end) = 1, false)
            as is_key_account_balanced,
        coalesce(max(case when definition_name = 'the_big_ones' and is_key_account then 1 else 0 end) = 1, false)
            as is_key_account_the_big_ones

    from selections
    group by customer_id

),

final as (

    select
        economics.customer_id,
        economics.customer_name,
        economics.revenue_t12m,
        economics.net_contribution_t12m,
        cast(per_customer.selecting_definitions_count as integer) as selecting_definitions_count,
        per_customer.selecting_definitions,
        per_customer.is_key_account_balanced,
        per_customer.is_key_account_the_big_ones,
        per_customer.override_status

    from economics
    inner join per_customer on economics.customer_id = per_customer.customer_id
    where economics.is_active

)

select * from final
