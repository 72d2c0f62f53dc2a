"""Resources & cadence: who carries the key accounts, and are they delivering their plans."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.export import download_button
from dashboard.plans import label_periods, plan_chart
from dashboard.text import chart_text, markdown_text
from dashboard.ui import (
    below_plan_text,
    definition_label,
    definition_select,
    format_share,
    input_gaps_notice,
    manager_labels,
    money_format,
    run_settings,
)
from dashboard.warehouse import query

ALL = "All account managers"
OVER_CAPACITY_COLOUR, WITHIN_CAPACITY_COLOUR = "#E45756", "#4C78A8"


st.title("Resources & cadence")
input_gaps_notice()

definitions = scoring.presets()
if not definitions:
    st.warning("The warehouse holds no key-account definitions yet.")
    st.stop()
definition = definition_select()
if definition not in definitions:
    st.warning(f"The definition {definition!r} is not in the warehouse's configuration.")
    st.stop()

managers = query(
    "select account_manager_id, manager_name from marts.account_managers "
    "where is_in_managers_file order by manager_name, account_manager_id"
)
manager_names = dict(zip(managers["account_manager_id"], managers["manager_name"]))

pick_manager = st.columns(2)[0]
manager = pick_manager.selectbox(
    "Account manager",
    [ALL, *manager_names],
    format_func=lambda value: value if value == ALL else f"{manager_names[value]} · {value}",
    key="resources_manager",
    help="Narrows the plan figures and the exit reviews to one manager's accounts.",
)
manager_filter = None if manager == ALL else manager
definition_name = definition_label(definition)
st.caption(
    f"Key accounts under {definition_name} ({definitions[definition].rule_text()}), after manual "
    "decisions."
)

# --- Key accounts per manager against capacity --------------------------------------------------
load = query(
    """
    select account_manager_id,
           manager_name,
           capacity_accounts,
           key_accounts,
           key_accounts_over_capacity,
           capacity_used_share * 100 as capacity_used_percent,
           cast(key_account_revenue_t12m as double) as key_account_revenue_t12m,
           cast(key_account_net_contribution_t12m as double) as key_account_net_contribution_t12m
    from marts.account_manager_capacity
    where definition_name = ?
    order by capacity_used_share desc nulls last, manager_name
    """,
    (definition,),
)
staffing = query(
    "select * from marts.key_account_staffing where definition_name = ?", (definition,)
).iloc[0]
unmanaged = query(
    """
    select customer_id, customer_name, score_rank, score, reason, region, industry,
           cast(revenue_t12m as double) as revenue_t12m,
           cast(net_contribution_t12m as double) as net_contribution_t12m
    from marts.key_accounts_without_manager
    where definition_name = ?
    order by score_rank
    """,
    (definition,),
)

st.subheader("Key accounts per manager")
# Without a managers file capacity is unknown, not zero.
has_managers = bool(staffing["managers"])
figures = st.columns(4)
figures[0].metric("Key accounts with a manager", f"{int(staffing['key_accounts_with_manager']):,}")
figures[1].metric(
    "Capacity of all managers",
    f"{int(staffing['capacity_accounts']):,}" if pd.notna(staffing["capacity_accounts"]) else "–",
    f"{format_share(staffing['capacity_used_share'])} used" if pd.notna(staffing["capacity_used_share"]) else None,
    delta_color="off",
    delta_arrow="off",
)
figures[2].metric(
    "Managers over capacity",
    f"{int(staffing['managers_over_capacity']):,}" if has_managers else "–",
    f"of {int(staffing['managers']):,}" if has_managers else None,
    delta_color="off",
    delta_arrow="off",
)
figures[3].metric("Key accounts without a manager", f"{int(staffing['key_accounts_without_manager']):,}")

if load.empty:
    st.info("No account-managers file was loaded: capacity cannot be shown.")
else:
    chart = load.sort_values(["capacity_used_percent", "manager_name"], ascending=[True, False])
    managers_shown = chart["manager_name"].map(chart_text)
    figure = go.Figure(
        [
            go.Bar(
                y=managers_shown,
                x=chart["key_accounts"],
                orientation="h",
                name="Key accounts",
                marker_color=chart["key_accounts_over_capacity"]
                .gt(0)
                .map({True: OVER_CAPACITY_COLOUR, False: WITHIN_CAPACITY_COLOUR}),
                hovertemplate="%{y}: %{x} key accounts<extra></extra>",
            ),
            go.Scatter(
                y=managers_shown,
                x=chart["capacity_accounts"],
                mode="markers",
                name="Capacity",
                marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": "#222"}},
                hovertemplate="%{y}: capacity %{x}<extra></extra>",
            ),
        ]
    )
    figure.update_layout(
        height=max(300, 24 * len(chart) + 80),
        margin={"t": 30, "b": 10},
        xaxis_title="Key accounts",
        legend={"orientation": "h", "y": 1.06},
    )
    st.plotly_chart(figure, width="stretch")
    st.caption(
        "Key accounts each manager carries (bars; red when above capacity) against the number they "
        "can carry (black tick), from the account-managers file."
    )
    st.dataframe(
        load,
        hide_index=True,
        width="stretch",
        column_order=[
            "manager_name",
            "account_manager_id",
            "key_accounts",
            "capacity_accounts",
            "capacity_used_percent",
            "key_accounts_over_capacity",
            "key_account_revenue_t12m",
            "key_account_net_contribution_t12m",
        ],
        column_config={
            "manager_name": "Account manager",
            "account_manager_id": "Manager ID",
            "key_accounts": st.column_config.NumberColumn("Key accounts", format="%d"),
            "capacity_accounts": st.column_config.NumberColumn("Capacity", format="%d"),
            "capacity_used_percent": st.column_config.ProgressColumn(
                "Capacity used",
                format="%.0f %%",
                min_value=0,
                max_value=max(100.0, float(load["capacity_used_percent"].max() or 100)),
            ),
            "key_accounts_over_capacity": st.column_config.NumberColumn("Over (+) / free (−)", format="%+d"),
            "key_account_revenue_t12m": st.column_config.NumberColumn(
                "Key-account revenue, 12 months", format=money_format()
            ),
            "key_account_net_contribution_t12m": st.column_config.NumberColumn(
                "Key-account net contribution", format=money_format()
            ),
        },
    )
    download_button(load, f"key-accounts-per-manager-{definition}.csv")

st.subheader("Key accounts without a manager")
if unmanaged.empty:
    st.success("Every key account has an account manager.")
else:
    st.dataframe(
        unmanaged,
        hide_index=True,
        width="stretch",
        column_config={
            "customer_id": "Customer ID",
            "customer_name": "Customer",
            "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
            "score": st.column_config.NumberColumn("Score", format="%.1f"),
            "reason": "Why",
            "region": "Region",
            "industry": "Industry",
            "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
            "net_contribution_t12m": st.column_config.NumberColumn(
                "Net contribution", format=money_format()
            ),
        },
    )
    st.caption(
        f"Key accounts under {definition_name} that nobody carries: assign a manager, or the "
        "account gets no key-account treatment."
    )
    download_button(unmanaged, f"key-accounts-without-manager-{definition}.csv")

# --- Plan vs actual by period ------------------------------------------------------------------
st.subheader("Plan against actual, by period")
scope = st.radio(
    "Accounts",
    ["key", "all"],
    format_func={
        "key": f"Key accounts under {definition_name}",
        "all": "All accounts with a plan",
    }.get,
    horizontal=True,
    key="plan_scope",
)
periods = query(
    """
    select period_start,
           period_end,
           period_status,
           accounts,
           cast(target_revenue_to_date as double) as target_revenue_to_date,
           cast(actual_revenue as double) as actual_revenue,
           revenue_attainment * 100 as revenue_attainment,
           cast(target_gross_margin_to_date as double) as target_gross_margin_to_date,
           cast(actual_gross_margin as double) as actual_gross_margin,
           accounts_below_plan as below_plan
    from marts.plan_attainment_by_period
    -- null: every account with a plan, or every manager.
    where definition_name is not distinct from cast(? as varchar)
        and account_manager_id is not distinct from cast(? as varchar)
    order by period_start, period_end
    """,
    (None if scope == "all" else definition, manager_filter),
)
if periods.empty:
    st.info("No account plan matches this choice.")
else:
    periods = label_periods(periods)
    plan_chart(
        periods,
        "Revenue target against actual revenue per plan period, with the share of plan reached; "
        "a period in progress is judged on its target pro-rated to the days elapsed.",
    )
    table = periods[
        [
            "period",
            "period_status",
            "accounts",
            "target_revenue_to_date",
            "actual_revenue",
            "revenue_attainment",
            "below_plan",
            "target_gross_margin_to_date",
            "actual_gross_margin",
        ]
    ]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "period": "Period",
            "period_status": "Status",
            "accounts": st.column_config.NumberColumn("Accounts", format="%,d"),
            "target_revenue_to_date": st.column_config.NumberColumn(
                "Revenue target to date", format=money_format()
            ),
            "actual_revenue": st.column_config.NumberColumn("Actual revenue", format=money_format()),
            "revenue_attainment": st.column_config.NumberColumn(
                "Revenue vs plan", format="%.0f %%"
            ),
            "below_plan": st.column_config.NumberColumn("Accounts below plan", format="%,d"),
            "target_gross_margin_to_date": st.column_config.NumberColumn(
                "Margin target to date", format=money_format()
            ),
            "actual_gross_margin": st.column_config.NumberColumn("Actual margin", format=money_format()),
        },
    )
    st.caption(f"Below plan: an account {below_plan_text()}.")
    download_button(table, f"plan-vs-actual-{definition}-{scope}.csv")

# A key account without a plan is judged against nothing: plan vs actual above silently leaves it out.
key_account_plans = query(
    """
    select s.customer_id, s.customer_name, s.score_rank,
           coalesce(managers.manager_name, m.account_manager_id, 'No manager') as manager,
           m.region, cast(m.revenue_t12m as double) as revenue_t12m,
           exists (
               select 1 from marts.account_plan_performance as p where p.customer_id = s.customer_id
           ) as has_plan
    from marts.key_account_scorecard as s
    join marts.customer_metrics as m on m.customer_id = s.customer_id
    left join marts.account_managers as managers on managers.account_manager_id = m.account_manager_id
    where s.definition_name = ? and s.is_key_account
        and (cast(? as varchar) is null or m.account_manager_id = ?)
    order by s.score_rank
    """,
    (definition, manager_filter, manager_filter),
)
unplanned = key_account_plans[~key_account_plans["has_plan"]].drop(columns="has_plan")
st.subheader("Key accounts without a plan")
if unplanned.empty:
    st.success(f"Every key account under {definition_name} has a plan.")
else:
    st.markdown(
        f"**{len(unplanned):,} of {len(key_account_plans):,} key accounts** under {definition_name} have no "
        "plan: nothing above judges them. Agree a plan, or say why not."
    )
    st.dataframe(
        unplanned,
        hide_index=True,
        width="stretch",
        column_config={
            "customer_id": "Customer ID",
            "customer_name": "Customer",
            "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
            "manager": "Account manager",
            "region": "Region",
            "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
        },
    )
    download_button(unplanned, f"key-accounts-without-plan-{definition}.csv")

# --- Exit-review candidates --------------------------------------------------------------------
st.subheader("Exit-review candidates")
reviews = query(
    """
    select customer_id, customer_name, account_manager_id, definition_name, score, score_rank,
           override_status, consecutive_periods_below_plan, latest_closed_period_end,
           latest_revenue_attainment * 100 as latest_revenue_attainment,
           latest_margin_attainment * 100 as latest_margin_attainment, exit_review_reason
    from marts.exit_review_candidates
    where cast(? as varchar) is null or account_manager_id = ?
    order by consecutive_periods_below_plan desc, score
    """,
    (manager_filter, manager_filter),
)
review_definitions = query("select distinct definition_name from marts.exit_review_candidates")
cadence = (
    definition_label(review_definitions["definition_name"].iloc[0])
    if len(review_definitions) == 1
    else "the cadence definition"
)
settings = run_settings()
periods_in_a_row = int(settings["exit_review_min_periods_below_plan"])
min_score = f"{settings['exit_review_min_score']:g}"
if reviews.empty:
    st.success(
        "No key account qualifies for an exit review"
        + ("" if manager_filter is None else f" among {markdown_text(manager_names[manager_filter])}'s accounts")
        + f": none is below plan {periods_in_a_row} closed periods in a row or scores under {min_score}."
    )
else:
    reviews["manager"] = manager_labels(reviews["account_manager_id"])
    reviews["override_status"] = reviews["override_status"].map({"key": "Kept key by decision"})
    table = reviews[
        [
            "customer_name",
            "manager",
            "exit_review_reason",
            "score",
            "score_rank",
            "consecutive_periods_below_plan",
            "latest_closed_period_end",
            "latest_revenue_attainment",
            "latest_margin_attainment",
            "override_status",
            "customer_id",
        ]
    ]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "customer_name": "Customer",
            "manager": "Account manager",
            "exit_review_reason": "Why review",
            "score": st.column_config.NumberColumn("Score", format="%.1f"),
            "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
            "consecutive_periods_below_plan": st.column_config.NumberColumn(
                "Periods below plan in a row", format="%d"
            ),
            "latest_closed_period_end": st.column_config.DateColumn(
                "Latest period ended", format="D MMM YYYY"
            ),
            "latest_revenue_attainment": st.column_config.NumberColumn(
                "Revenue vs plan", format="%.0f %%"
            ),
            "latest_margin_attainment": st.column_config.NumberColumn(
                "Margin vs plan", format="%.0f %%"
            ),
            "override_status": "Manual decision",
            "customer_id": "Customer ID",
        },
    )
    download_button(table, "exit-review-candidates.csv")
st.caption(
    f"Key accounts under {cadence} that deserve an exit review: below plan in {periods_in_a_row} or more "
    f"closed periods in a row, or a score under {min_score} (often an account kept on the list by a "
    "manual decision)."
)
