with

source as (

    select * from {{ source('raw', 'products') }}

),

ranked as (

    select
        *,
        row_number() over (partition by product_id order by {{ latest_loaded_first() }}) as load_rank

    from source

),

renamed as (

    select
        product_id,
        coalesce(category, 'Uncategorised') as category,
        coalesce(product_name, product_id) as product_name

    from ranked
    where load_rank = 1

)

select * from renamed
