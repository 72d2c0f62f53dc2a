{%- set string_type = dbt.type_string() -%}
with

axes as (

    select * from {{ ref('matrix_axes') }}

),

weighed as (

    -- A criterion weighed 0 is not part of its axis.
    select
        axes_name,
        axis,
        criterion,
        description,
        cast(weight as double) as weight_configured

    from axes
    where weight > 0

),

axis_totals as (

    select
        axes_name,
        axis,
        sum(weight_configured) as axis_weight

    from weighed
    group by axes_name, axis

),

normalised as (

    select
        weighed.axes_name,
        weighed.axis,
        weighed.criterion,
        weighed.description,
        weighed.weight_configured,
        weighed.weight_configured / axis_totals.axis_weight as weight

    from weighed
    inner join axis_totals
        on weighed.axes_name = axis_totals.axes_name
        and weighed.axis = axis_totals.axis

),

versions as (

    -- What the version hashes: each axis, criterion and normalised weight (rounded), sorted, so
    -- "1, 1" and "2, 2" stay one version; the description is wording only and does not count.
    select
        axes_name,
        {{ dbt.right(dbt.hash(sorted_list(dbt.concat([
            'axis', "':'", 'criterion', "'='",
            "cast(cast(weight as decimal(18, 6)) as " ~ string_type ~ ")",
        ]), "'|'")), 10) }} as axes_version

    from normalised
    group by axes_name

),

final as (

    select
        normalised.axes_name,
        versions.axes_version,
        normalised.axis,
        normalised.criterion,
        normalised.description,
        normalised.weight_configured,
        normalised.weight

    from normalised
    inner join versions on normalised.axes_name = versions.axes_name

)

select * from final
