with

scorecard as (

    select * from {{ ref('key_account_scorecard') }}

),

customers as (

    select * from {{ ref('customer_metrics') }}

),

managers as (

    select * from {{ ref('account_managers') }}
    where is_in_managers_file

),

final as (

    select
        scorecard.definition_name,
        scorecard.customer_id,
        scorecard.customer_name,
        scorecard.account_manager_id,
        scorecard.score_rank,
        scorecard.score,
        case
            when scorecard.account_manager_id is null then 'No account manager assigned'
            else 'Manager ' || scorecard.account_manager_id || ' is not in the managers file'
        end as reason,
        customers.region,
        customers.industry,
        customers.revenue_t12m,
        customers.net_contribution_t12m

    from scorecard
    inner join customers on scorecard.customer_id = customers.customer_id
    left join managers on scorecard.account_manager_id = managers.account_manager_id
    where scorecard.is_key_account
        and managers.account_manager_id is null

)

select * from final
