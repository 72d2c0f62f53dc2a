with

source as (

    select * from {{ source('raw', 'service_costs') }}

),

renamed as (

    select
        customer_id,
        activity_date,
        lower(activity_type) as activity_type,
        cost,
        _source_file,
        _source_row

    from source

)

select * from renamed
