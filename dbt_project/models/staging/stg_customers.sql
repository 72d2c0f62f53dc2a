with

source as (

    select * from {{ source('raw', 'customers') }}

),

renamed as (

    select
        customer_id,
        coalesce(customer_name, customer_id) as customer_name,
        coalesce(industry, 'Unknown') as industry,
        coalesce(region, 'Unknown') as region,
        employee_count,
        annual_revenue,
        account_manager_id,
        created_on

    from source

)

select * from renamed
