-- A table, not a view: every line-level model and test reads it, and the deduplication window
-- over millions of lines should run once per build, not once per reader. Incremental: a day's
-- new landing files replace the lines they carry (a line sent again is the latest loaded, as in a
-- full build) and leave the others as they are.
{{ config(
    materialized=order_lines_materialization(),
    incremental_strategy='delete+insert',
    unique_key=['order_id', 'line_number'],
) }}

with

source as (

    select * from {{ source('raw', 'orders') }}
    where {{ in_order_batch() }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by order_id, coalesce(line_number, _source_row)
            order by {{ latest_loaded_first() }}
        ) as load_rank

    from source

),

renamed as (

    select
        order_id,
        coalesce(line_number, _source_row) as line_number,
        order_date,
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as order_month,
        customer_id,
        product_id,
        quantity,
        net_revenue,
        cost_amount,
        upper(currency) as currency,
        net_revenue < 0 as is_return,
        _source_file,
        _source_row

    from ranked
    where load_rank = 1

)

select * from renamed
