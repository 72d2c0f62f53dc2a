with

managers as (

    select * from {{ ref('stg_account_managers') }}

),

customers as (

    select * from {{ ref('customer_metrics') }}

),

assignments as (

    select
        account_manager_id,
        count(*) as assigned_customers,
        sum(case when is_active then 1 else 0 end) as active_customers

    from customers
    where account_manager_id is not null
    group by account_manager_id

),

final as (

    -- A manager named on a customer but missing from the managers file is still a manager the
    -- reader can filter by: listed under their id, with no capacity.
    select
        coalesce(managers.account_manager_id, assignments.account_manager_id) as account_manager_id,
        coalesce(managers.manager_name, assignments.account_manager_id) as manager_name,
        managers.capacity_accounts,
        managers.account_manager_id is not null as is_in_managers_file,
        cast(coalesce(assignments.assigned_customers, 0) as bigint) as assigned_customers,
        cast(coalesce(assignments.active_customers, 0) as bigint) as active_customers

    from managers
    full outer join assignments on managers.account_manager_id = assignments.account_manager_id

)

select * from final
