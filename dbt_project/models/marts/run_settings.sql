{#- The thresholds the dashboard states in words, as this run used them: a page reads the figure
    here instead of retyping it, so a changed dbt var changes the text with the numbers. Each entry
    is (var, unit, what it means); the meaning is written for a sales leader, and the var's comment
    in dbt_project.yml says why the value is what it is. -#}
{%- set settings = [
    ('pareto_a_cutoff', 'share',
        'Revenue tier A: the customers that together make this share of revenue, largest first (the contribution tiers are cut alike).'),
    ('pareto_b_cutoff', 'share',
        'Revenue tier B: the customers after tier A, up to this share of revenue; tier C is the rest.'),
    ('concentration_top_share', 'share',
        'The share of active customers, largest first, whose share of revenue and profit measures concentration.'),
    ('cadence_below_plan_attainment', 'share',
        'An account is below plan when its revenue is under this share of its target to date.'),
    ('exit_review_min_periods_below_plan', 'periods',
        'A key account below plan in this many closed plan periods in a row deserves an exit review.'),
    ('exit_review_min_score', 'points',
        'A key account scoring under this (of 100) deserves an exit review.'),
    ('backtest_months', 'months',
        'The backtest picks the key accounts among the customers as they stood this many months before the reporting date, and follows them to it.'),
    ('loyalty_full_tenure_years', 'years',
        'A key-account relationship is one of this many years or more: loyalty is scaled down for a younger customer.'),
    ('flag_unprofitable_max_share_of_typical_margin', 'share',
        "Big but unprofitable: a margin under this share of the typical active customer's margin rate, or a loss."),
    ('flag_one_off_max_tenure_months', 'months',
        'Big revenue, one-off: a tier-A customer for fewer months than this (and ordering in few months) is a one-off.'),
    ('flag_one_off_max_active_months', 'months',
        'Big revenue, one-off: a tier-A customer ordering in at most this many months in all (and a customer for a short time) is a one-off.'),
    ('flag_easy_sell_min_active_quarters', 'quarters',
        'Easy sell, no growth: ordering in at least this many of the last four quarters is buying predictably.'),
    ('flag_easy_sell_max_growth', 'share',
        'Easy sell, no growth: revenue growing by at most this share a year is flat or shrinking.'),
    ('flag_easy_sell_min_share_of_wallet', 'share',
        "Easy sell, no growth: at least this share of the customer's wallet already ours leaves little headroom."),
    ('flag_easy_sell_max_strategic_fit', 'assessment',
        'Easy sell, no growth: a strategic fit (1 to 5) of at most this does not fit where we want to go.'),
    ('flag_oak_min_growth', 'share',
        "Tomorrow's oak: revenue growing by at least this share a year is growing fast."),
    ('flag_oak_min_active_months', 'months',
        "Tomorrow's oak: orders in at least this many of the last twelve months (or in every quarter, steadily) is buying steadily."),
    ('flag_oak_max_share_of_wallet', 'share',
        "Tomorrow's oak: at most this share of the customer's wallet ours leaves the rest still to win."),
    ('flag_oak_min_strategic_fit', 'assessment',
        "Tomorrow's oak: a strategic fit (1 to 5) of at least this, where assessed, fits where we want to go."),
    ('matrix_axis_cut', 'points',
        'Portfolio matrix: an account at or above this (of 100) on an axis is attractive, or our position in it strong.'),
    ('matrix_effort_invest_for_growth', 'key accounts',
        'Portfolio matrix: the account-management time an invest-for-growth account asks for, in key accounts (what a manager can carry is counted in them).'),
    ('matrix_effort_invest_selectively', 'key accounts',
        'Portfolio matrix: the time an invest-selectively account asks for, in key accounts.'),
    ('matrix_effort_maintain', 'key accounts',
        'Portfolio matrix: the time a maintain account asks for, in key accounts.'),
    ('matrix_effort_streamline', 'key accounts',
        'Portfolio matrix: the time a streamline account asks for, in key accounts.'),
] -%}

with

settings as (

    {% for name, unit, meaning in settings %}
    select
        '{{ name }}' as setting_name,
        cast({{ var(name) }} as double) as value,
        '{{ unit }}' as unit,
        '{{ meaning | replace("'", "''") }}' as meaning
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from settings

)

select * from final
