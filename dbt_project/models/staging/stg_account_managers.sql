with

source as (

    select * from {{ source('raw', 'account_managers') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by account_manager_id order by {{ latest_loaded_first() }}
        ) as load_rank

    from source

),

renamed as (

    select
        account_manager_id,
        coalesce(name, account_manager_id) as manager_name,
        capacity_accounts

    from ranked
    where load_rank = 1

)

select * from renamed
