with

source as (

    select * from {{ source('raw', 'account_overrides') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by decided_on desc nulls last, {{ latest_loaded_first() }}
        ) as decision_rank

    from source

),

renamed as (

    select
        customer_id,
        lower(trim(forced_status)) as forced_status,
        reason,
        decided_by,
        decided_on,
        expires_on

    from ranked
    -- A later decision on the same customer replaces the earlier one.
    where decision_rank = 1

)

select * from renamed
