with

source as (

    select * from {{ source('raw', 'orders') }}

),

renamed as (

    select
        order_id,
        coalesce(line_number, 1) as line_number,
        order_date,
        customer_id,
        product_id,
        quantity,
        net_revenue,
        cost_amount,
        upper(currency) as currency,
        net_revenue < 0 as is_return,
        _source_file,
        _source_row

    from source

)

select * from renamed
