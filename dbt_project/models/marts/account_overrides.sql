with

overrides as (

    select * from {{ ref('stg_account_overrides') }}

),

customers as (

    select * from {{ ref('customer_metrics') }}

),

reporting as (

    select max(reporting_date) as reporting_date from customers

),

final as (

    select
        overrides.customer_id,
        customers.customer_name,
        overrides.forced_status,
        overrides.reason,
        overrides.decided_by,
        overrides.decided_on,
        overrides.expires_on,
        reporting.reporting_date,
        -- As the scorecard applies it (int_scorecard_selections): in force through its last day,
        -- until withdrawn when it has none.
        overrides.expires_on is null or overrides.expires_on >= reporting.reporting_date as is_in_force

    from overrides
    left join customers on overrides.customer_id = customers.customer_id
    cross join reporting

)

select * from final
