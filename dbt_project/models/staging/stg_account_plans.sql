with

source as (

    select * from {{ source('raw', 'account_plans') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id, period_start order by {{ latest_loaded_first() }}
        ) as load_rank

    from source

),

renamed as (

    select
        customer_id,
        period_start,
        period_end,
        target_revenue,
        target_gross_margin

    from ranked
    where load_rank = 1

)

select * from renamed
