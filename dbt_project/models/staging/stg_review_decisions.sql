with

source as (

    select * from {{ source('raw', 'review_decisions') }}

),

ranked as (

    select
        *,
        -- A later decision on the same customer and topic supersedes the earlier ones: decision_id
        -- counts up in the order the store recorded them.
        row_number() over (
            partition by customer_id, topic order by decision_id desc
        ) as decision_rank,
        count(*) over (partition by customer_id, topic) as decisions_recorded

    from source

),

final as (

    select
        customer_id,
        topic as review_topic,
        owner,
        cast(next_review_on as date) as next_review_on,
        note,
        decided_by,
        -- Recorded in UTC (2025-06-30T14:05:09Z); kept in UTC, whatever the session's time zone.
        {{ utc_timestamp('decided_at') }} as decided_at,
        decisions_recorded

    from ranked
    where decision_rank = 1

)

select * from final
