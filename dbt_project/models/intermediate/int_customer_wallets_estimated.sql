with

customer_months as (

    select * from {{ ref('int_customer_months_aggregated') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

wallet_estimates as (

    select * from {{ ref('stg_wallet_estimates') }}

),

calendar_years as (

    -- A year the order history covers only in part (the first year of an export, the reporting
    -- year) is annualised from the months it does cover, so peers are compared on a full year.
    select
        cast(extract(year from month_start) as integer) as calendar_year,
        count(distinct month_start) as observed_months

    from customer_months
    where line_count > 0
    group by cast(extract(year from month_start) as integer)

),

customer_first_years as (

    select
        customer_id,
        min(cast(extract(year from month_start) as integer)) as first_order_year

    from customer_months
    where order_count > 0
    group by customer_id

),

yearly_revenue as (

    select
        customer_id,
        cast(extract(year from month_start) as integer) as calendar_year,
        sum(revenue) as revenue

    from customer_months
    group by customer_id, cast(extract(year from month_start) as integer)

),

customer_years as (

    select
        customer_first_years.customer_id,
        customers.industry,
        customers.size_band,
        customers.annual_revenue,
        calendar_years.calendar_year,
        calendar_years.observed_months,
        coalesce(yearly_revenue.revenue, 0) as revenue,
        cast(coalesce(yearly_revenue.revenue, 0) * 12 as double) / calendar_years.observed_months
            as annualised_revenue

    from customer_first_years
    inner join customers
        on customer_first_years.customer_id = customers.customer_id
    inner join calendar_years
        on calendar_years.calendar_year >= customer_first_years.first_order_year
    left join yearly_revenue
        on customer_first_years.customer_id = yearly_revenue.customer_id
        and calendar_years.calendar_year = yearly_revenue.calendar_year

),

buying_customer_years as (

    -- Peers are the customers who bought from us that year; lapsed ones would drag the quantile
    -- towards zero and say nothing about what a company of that kind spends.
    select * from customer_years
    where revenue > 0

),

industry_and_size_band_peers as (

    select
        industry,
        size_band,
        calendar_year,
        {{ econ_quantile('annualised_revenue', var('wallet_peer_quantile')) }} as peer_estimate,
        count(*) as peer_group_size

    from buying_customer_years
    where industry <> 'Unknown' and size_band <> 'unknown'
    group by industry, size_band, calendar_year

),

industry_peers as (

    select
        industry,
        calendar_year,
        {{ econ_quantile('annualised_revenue', var('wallet_peer_quantile')) }} as peer_estimate,
        count(*) as peer_group_size

    from buying_customer_years
    where industry <> 'Unknown'
    group by industry, calendar_year

),

all_peers as (

    select
        calendar_year,
        {{ econ_quantile('annualised_revenue', var('wallet_peer_quantile')) }} as peer_estimate,
        count(*) as peer_group_size

    from buying_customer_years
    group by calendar_year

),

peer_estimated as (

    select
        customer_years.*,
        case
            when industry_and_size_band_peers.peer_group_size >= {{ var('wallet_peer_group_min_size') }}
                then 'industry_and_size_band'
            when industry_peers.peer_group_size >= {{ var('wallet_peer_group_min_size') }}
                then 'industry'
            when all_peers.peer_group_size is not null then 'all_customers'
        end as peer_group,
        case
            when industry_and_size_band_peers.peer_group_size >= {{ var('wallet_peer_group_min_size') }}
                then industry_and_size_band_peers.peer_estimate
            when industry_peers.peer_group_size >= {{ var('wallet_peer_group_min_size') }}
                then industry_peers.peer_estimate
            else all_peers.peer_estimate
        end as peer_estimate,
        case
            when industry_and_size_band_peers.peer_group_size >= {{ var('wallet_peer_group_min_size') }}
                then industry_and_size_band_peers.peer_group_size
            when industry_peers.peer_group_size >= {{ var('wallet_peer_group_min_size') }}
                then industry_peers.peer_group_size
            else all_peers.peer_group_size
        end as peer_group_size

    from customer_years
    left join industry_and_size_band_peers
        on customer_years.industry = industry_and_size_band_peers.industry
        and customer_years.size_band = industry_and_size_band_peers.size_band
        and customer_years.calendar_year = industry_and_size_band_peers.calendar_year
    left join industry_peers
        on customer_years.industry = industry_peers.industry
        and customer_years.calendar_year = industry_peers.calendar_year
    left join all_peers
        on customer_years.calendar_year = all_peers.calendar_year

),

declared_intensities as (

    -- What a company spends in our categories per unit of its own turnover, where market research
    -- tells both: the wallet intensity of its industry.
    select
        customers.industry,
        wallet_estimates.year as calendar_year,
        cast(wallet_estimates.estimated_wallet as double) / customers.annual_revenue as intensity

    from wallet_estimates
    inner join customers on wallet_estimates.customer_id = customers.customer_id
    where customers.annual_revenue > 0

),

industry_intensities as (

    select
        industry,
        calendar_year,
        {{ econ_quantile('intensity', 0.5) }} as intensity,
        count(*) as calibration_size

    from declared_intensities
    where industry <> 'Unknown'
    group by industry, calendar_year

),

all_intensities as (

    select
        calendar_year,
        {{ econ_quantile('intensity', 0.5) }} as intensity,
        count(*) as calibration_size

    from declared_intensities
    group by calendar_year

),

observed_intensities as (

    -- Without market research, our own customers calibrate the intensity: what a company spends
    -- with us per unit of its turnover. Most buy only part of their needs from us, so the
    -- wallet_peer_quantile of that share (as for the peer estimate) approximates a full wallet.
    select
        industry,
        calendar_year,
        annualised_revenue / annual_revenue as intensity

    from buying_customer_years
    where annual_revenue > 0

),

observed_industry_intensities as (

    select
        industry,
        calendar_year,
        {{ econ_quantile('intensity', var('wallet_peer_quantile')) }} as intensity,
        count(*) as calibration_size

    from observed_intensities
    where industry <> 'Unknown'
    group by industry, calendar_year

),

observed_all_intensities as (

    select
        calendar_year,
        {{ econ_quantile('intensity', var('wallet_peer_quantile')) }} as intensity,
        count(*) as calibration_size

    from observed_intensities
    group by calendar_year

),

with_declared as (

    -- Market research where it covers the customer; else its turnover times the wallet intensity
    -- of its industry (of all customers where too few of the industry are researched; of our own
    -- customers where nobody is), which scales with the company itself; else the peers' spend
    -- with us, which knows nothing of the company but its industry and size band.
    select
        peer_estimated.*,
        wallet_estimates.estimated_wallet as declared_wallet,
        case
            when industry_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                then industry_intensities.intensity
            when all_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                then all_intensities.intensity
            when observed_industry_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                then observed_industry_intensities.intensity
            when observed_all_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                then observed_all_intensities.intensity
        end as wallet_intensity,
        case
            when industry_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                or all_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                then 'market_research'
            when observed_industry_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                or observed_all_intensities.calibration_size >= {{ var('wallet_peer_group_min_size') }}
                then 'our_customers'
        end as wallet_intensity_basis

    from peer_estimated
    left join wallet_estimates
        on peer_estimated.customer_id = wallet_estimates.customer_id
        and peer_estimated.calendar_year = wallet_estimates.year
    left join industry_intensities
        on peer_estimated.industry = industry_intensities.industry
        and peer_estimated.calendar_year = industry_intensities.calendar_year
    left join all_intensities
        on peer_estimated.calendar_year = all_intensities.calendar_year
    left join observed_industry_intensities
        on peer_estimated.industry = observed_industry_intensities.industry
        and peer_estimated.calendar_year = observed_industry_intensities.calendar_year
    left join observed_all_intensities
        on peer_estimated.calendar_year = observed_all_intensities.calendar_year

),

estimated as (

    select
        *,
        annual_revenue * wallet_intensity as firmographic_estimate

    from with_declared

),

sourced as (

    select
        *,
        coalesce(declared_wallet, firmographic_estimate, peer_estimate) as source_wallet

    from estimated

),

final as (

    select
        customer_id,
        calendar_year,
        industry,
        size_band,
        cast(observed_months as integer) as observed_months,
        observed_months = 12 as is_complete_year,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(declared_wallet as decimal(18, 2)) as declared_wallet,
        peer_group,
        cast(peer_group_size as integer) as peer_group_size,
        cast(peer_estimate as decimal(18, 2)) as peer_estimate,
        cast(firmographic_estimate as decimal(18, 2)) as firmographic_estimate,
        case when firmographic_estimate is not null then wallet_intensity_basis end
            as wallet_intensity_basis,
        -- What the customer demonstrably spent with us is a floor for its wallet, whatever the
        -- source says; a declared figure below it is lifted and kept visible for the quality gate.
        cast(case
            when source_wallet < revenue then revenue
            else source_wallet
        end as decimal(18, 2)) as wallet,
        case
            when declared_wallet is not null then 'declared'
            when firmographic_estimate is not null then 'firmographic_estimate'
            when peer_estimate is not null then 'peer_estimate'
        end as wallet_source,
        coalesce(source_wallet < revenue, false) as is_raised_to_revenue,
        coalesce(declared_wallet < revenue, false) as is_declared_below_revenue

    from sourced

)

select * from final
