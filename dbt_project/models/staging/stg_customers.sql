with

source as (

    select * from {{ source('raw', 'customers') }}

),

ranked as (

    select
        *,
        row_number() over (partition by customer_id order by {{ latest_loaded_first() }}) as load_rank

    from source

),

renamed as (

    select
        customer_id,
        coalesce(customer_name, customer_id) as customer_name,
        coalesce(industry, 'Unknown') as industry,
        coalesce(region, 'Unknown') as region,
        employee_count,
        annual_revenue,
        case
            when employee_count is null then 'unknown'
            when employee_count < 50 then '1-49'
            when employee_count < 250 then '50-249'
            when employee_count < 1000 then '250-999'
            when employee_count < 5000 then '1000-4999'
            else '5000+'
        end as size_band,
        account_manager_id,
        created_on

    from ranked
    where load_rank = 1

)

select * from renamed
