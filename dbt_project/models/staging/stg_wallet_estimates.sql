with

source as (

    select * from {{ source('raw', 'wallet_estimates') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id, year order by {{ latest_loaded_first() }}
        ) as load_rank

    from source

),

renamed as (

    select
        customer_id,
        year,
        estimated_wallet

    from ranked
    where load_rank = 1

)

select * from renamed
