{#- Where account-management time should move: at the latest quarter-end of the portfolio matrix,
    each account manager's accounts per quadrant, the effort their treatments ask for (in
    key-account equivalents) against the number of key accounts the manager can carry, and a
    suggestion in words. -#}
{%- set quadrants = matrix_quadrants() -%}
with

matrix as (

    select * from {{ ref('portfolio_matrix') }}

),

managers as (

    select * from {{ ref('account_managers') }}

),

axes_sets as (

    select axes_name
    from {{ ref('int_matrix_axes_versioned') }}
    group by axes_name

),

latest as (

    select max(quarter_end) as quarter_end
    from matrix

),

counted as (

    select
        {% for quadrant in quadrants %}
        sum(case when matrix.quadrant = '{{ quadrant.name }}' then 1 else 0 end) as accounts_{{ quadrant.name }},
        {% endfor %}
        matrix.axes_name,
        matrix.account_manager_id

    from matrix
    inner join latest on matrix.quarter_end = latest.quarter_end
    where matrix.account_manager_id is not null
    group by matrix.axes_name, matrix.account_manager_id

),

loaded as (

    -- Effort in exact decimals (the units are vars like 0.25), so the figures in the suggestion
    -- read the same on every engine.
    select
        axes_sets.axes_name,
        managers.account_manager_id,
        managers.manager_name,
        managers.capacity_accounts,
        {% for quadrant in quadrants %}
        coalesce(counted.accounts_{{ quadrant.name }}, 0) as accounts_{{ quadrant.name }},
        {% endfor %}
        {% for quadrant in quadrants -%}
        coalesce(counted.accounts_{{ quadrant.name }}, 0) * {{ matrix_effort(quadrant.name) }}
        {%- if not loop.last %}
        + {% endif %}
        {%- endfor %} as effort_units

    from axes_sets
    cross join managers
    left join counted
        on axes_sets.axes_name = counted.axes_name
        and managers.account_manager_id = counted.account_manager_id

),

balanced as (

    select
        *,
        cast(effort_units - capacity_accounts as decimal(18, 4)) as effort_over_capacity,
        -- Moving an account to a streamlined contact plan frees the difference of the two efforts.
        {{ matrix_effort('maintain') }} - {{ matrix_effort('streamline') }} as freed_per_maintain_account,
        {{ matrix_effort('invest_selectively') }} - {{ matrix_effort('streamline') }} as freed_per_selective_account,
        {{ matrix_effort('invest_selectively') }} as effort_per_selective_account

    from loaded

),

freed as (

    select
        *,
        accounts_maintain * freed_per_maintain_account as freed_by_maintain,
        accounts_invest_selectively * freed_per_selective_account as freed_by_selective,
        effort_over_capacity - accounts_maintain * freed_per_maintain_account as over_after_maintain

    from balanced

),

suggested as (

    -- Over capacity: the fewest maintain accounts whose streamlining frees the excess, then the
    -- fewest invest-selectively accounts for what is left. Under it: the invest-selectively
    -- accounts the room left can take.
    select
        *,
        case
            when effort_over_capacity > 0 and freed_per_maintain_account > 0
                then ceiling(cast(effort_over_capacity as double) / cast(freed_per_maintain_account as double))
        end as maintain_to_streamline,
        case
            when over_after_maintain > 0 and freed_per_selective_account > 0
                then ceiling(cast(over_after_maintain as double) / cast(freed_per_selective_account as double))
        end as selective_to_streamline,
        case
            when effort_over_capacity < 0 and effort_per_selective_account > 0
                then floor(cast(-effort_over_capacity as double) / cast(effort_per_selective_account as double))
            else 0
        end as accounts_to_take_on

    from freed

),

final as (

    select
        axes_name,
        account_manager_id,
        manager_name,
        cast(capacity_accounts as integer) as capacity_accounts,
        {% for quadrant in quadrants %}
        cast(accounts_{{ quadrant.name }} as integer) as accounts_{{ quadrant.name }},
        {% endfor %}
        cast(effort_units as double) as effort_units,
        cast(effort_units as double) / nullif(capacity_accounts, 0) as capacity_used_share,
        case
            when capacity_accounts is null
                then {{ dbt.concat([
                    "'No capacity on file for this manager: the treatments ask for '",
                    matrix_figure('effort_units'), "' account equivalents.'",
                ]) }}
            when effort_over_capacity > 0 and effort_over_capacity <= freed_by_maintain
                then {{ dbt.concat([
                    "'Over capacity by '", matrix_figure('effort_over_capacity'), "' account equivalents: move '",
                    matrix_whole('maintain_to_streamline'), "' of the '", matrix_whole('accounts_maintain'),
                    "' maintain accounts to a streamlined contact plan.'",
                ]) }}
            when effort_over_capacity > 0 and effort_over_capacity <= freed_by_maintain + freed_by_selective
                then {{ dbt.concat([
                    "'Over capacity by '", matrix_figure('effort_over_capacity'), "' account equivalents: streamline '",
                    "case when accounts_maintain > 0 then 'every maintain account and ' else '' end",
                    matrix_whole('selective_to_streamline'), "' of the '", matrix_whole('accounts_invest_selectively'),
                    "' invest-selectively accounts, keeping the most winnable.'",
                ]) }}
            when effort_over_capacity > 0
                then {{ dbt.concat([
                    "'Over capacity by '", matrix_figure('effort_over_capacity'),
                    "' account equivalents, more than streamlining every maintain and invest-selectively account '",
                    "'frees: hand accounts to a colleague or add capacity.'",
                ]) }}
            when accounts_to_take_on > 0
                then {{ dbt.concat([
                    "'Room for '", matrix_figure('-effort_over_capacity'), "' more account equivalents: take on up to '",
                    matrix_whole('accounts_to_take_on'), "' invest-selectively '", matrix_accounts('accounts_to_take_on'), "'.'",
                ]) }}
            else {{ dbt.concat([
                "'At capacity: '", matrix_figure('effort_units'), "' of '", matrix_whole('capacity_accounts'),
                "' account equivalents in use; keep the current balance.'",
            ]) }}
        end as suggestion

    from suggested

)

select * from final
