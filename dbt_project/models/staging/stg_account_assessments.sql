with

source as (

    select * from {{ source('raw', 'account_assessments') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id, assessed_on order by {{ latest_loaded_first() }}
        ) as load_rank

    from source

),

renamed as (

    select
        customer_id,
        assessed_on,
        executive_access,
        decision_access,
        cultural_fit,
        strategic_alignment

    from ranked
    where load_rank = 1

)

select * from renamed
