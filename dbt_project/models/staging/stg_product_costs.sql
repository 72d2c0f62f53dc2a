with

source as (

    select * from {{ source('raw', 'product_costs') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by product_id, valid_from order by {{ latest_loaded_first() }}
        ) as load_rank

    from source

),

deduplicated as (

    select
        product_id,
        valid_from,
        unit_cost

    from ranked
    where load_rank = 1

),

with_validity as (

    select
        product_id,
        valid_from,
        -- Open-ended: the cost applies until the next one starts.
        lead(valid_from) over (partition by product_id order by valid_from) as valid_until,
        unit_cost

    from deduplicated

)

select * from with_validity
