"""Resources & cadence: who carries the key accounts, and are they delivering their plans."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.plans import PLAN_FIGURES, label_periods, not_started, plan_chart
from dashboard.text import chart_text, markdown_text
from dashboard.ui import (
    UNKNOWN,
    Figure,
    below_plan_text,
    definition_label,
    definition_select,
    format_share,
    input_gaps_notice,
    key_account_count_note,
    manager_labels,
    run_settings,
    show_chart,
    show_table,
    url_widget,
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

definition_name = definition_label(definition)
st.caption(
    f"Key accounts under {definition_name} ({definitions[definition].rule_text()}), after manual "
    "decisions. " + key_account_count_note(definition)
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
figures[0].metric(
    "Key accounts with a manager",
    f"{int(staffing['key_accounts_with_manager']):,}",
    help="Key accounts an account manager from the managers file looks after.",
)
capacity_known = pd.notna(staffing["capacity_accounts"])
figures[1].metric(
    "Capacity of all managers",
    f"{int(staffing['capacity_accounts']):,}" if capacity_known else UNKNOWN,
    (f"{format_share(staffing['capacity_used_share'])} used" if pd.notna(staffing["capacity_used_share"]) else None)
    if capacity_known
    else "unknown: no managers file",
    delta_color="off",
    delta_arrow="off",
    help="How many key accounts the managers can look after in all, from the managers file.",
)
figures[2].metric(
    "Managers over capacity",
    f"{int(staffing['managers_over_capacity']):,}" if has_managers else UNKNOWN,
    f"of {int(staffing['managers']):,}" if has_managers else "unknown: no managers file",
    delta_color="off",
    delta_arrow="off",
    help="Managers carrying more key accounts than they can look after.",
)
figures[3].metric(
    "Key accounts without a manager",
    f"{int(staffing['key_accounts_without_manager']):,}",
    help="Key accounts nobody in the managers file looks after: listed below.",
)

if load.empty:
    st.info("No account-managers file was loaded: capacity cannot be shown.")
else:
    chart = load.sort_values(["capacity_used_percent", "manager_name"], ascending=[True, False])
    managers_shown = chart["manager_name"].map(chart_text)
    over = chart["key_accounts_over_capacity"].gt(0)
    bar_colours = over.map({True: OVER_CAPACITY_COLOUR, False: WITHIN_CAPACITY_COLOUR}).tolist()
    figure = go.Figure(
        [
            go.Bar(
                y=managers_shown,
                x=chart["key_accounts"],
                orientation="h",
                name="Key accounts (hatched: over capacity)",
                marker={
                    "color": bar_colours,
                    "pattern": {"shape": over.map({True: "x", False: ""}).tolist(), "fillmode": "overlay",
                                "fgcolor": "#ffffff", "solidity": 0.3},
                },
                # "6 of 4, 2 over": the bar says what its colour says.
                text=[
                    f"{int(n)} of {int(c)}" + (f", {int(n - c)} over" if n > c else "")
                    if pd.notna(c)
                    else f"{int(n)}"
                    for n, c in zip(chart["key_accounts"], chart["capacity_accounts"])
                ],
                textposition="outside",
                cliponaxis=False,
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
    most = float(pd.concat([chart["key_accounts"], chart["capacity_accounts"]]).max() or 1)
    figure.update_layout(
        height=max(300, 26 * len(chart) + 110),
        margin={"t": 60, "b": 10, "r": 10},
        # Room right of the longest bar for its "6 of 4, 2 over".
        xaxis={"title": "Key accounts", "range": [0, most * 1.4]},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
    )
    show_chart(figure)
    st.caption(
        "Key accounts each manager carries (bars, with how many of how many they can carry) against "
        "their capacity (black tick), from the account-managers file; a bar over capacity is red and "
        "cross-hatched."
    )
    capacity_unknown = load["capacity_used_percent"].isna().any()
    show_table(
        load.assign(capacity_used_share=load["capacity_used_percent"] / 100),
        {
            "manager_name": st.column_config.TextColumn("Account manager"),
            "account_manager_id": st.column_config.TextColumn("Manager id"),
            "key_accounts": Figure("Key accounts", "count", help=f"Key accounts under {definition_name} they carry."),
            "capacity_accounts": Figure(
                "Capacity", "count", help="How many key accounts they can look after, from the managers file."
            ),
            **(
                {"capacity_used_share": Figure("Capacity used", "share", help="Key accounts over capacity.")}
                if capacity_unknown
                else {
                    "capacity_used_percent": st.column_config.ProgressColumn(
                        "Capacity used",
                        format="%.0f %%",
                        min_value=0,
                        max_value=max(100.0, float(load["capacity_used_percent"].max() or 100)),
                        help="Key accounts over capacity; above 100 % the manager carries too many.",
                    )
                }
            ),
            "key_accounts_over_capacity": Figure(
                "Over / free",
                "number",
                signed=True,
                help="Key accounts above capacity (+), or room for more (−).",
            ),
            "key_account_revenue_t12m": Figure("Revenue", help="Their key accounts' revenue, last twelve months."),
            "key_account_net_contribution_t12m": Figure(
                "Profit",
                help="Their key accounts' net contribution, last twelve months: gross margin minus cost to serve.",
            ),
        },
        export=f"key-accounts-per-manager-{definition}.csv",
    )

st.subheader("Key accounts without a manager")
if unmanaged.empty:
    st.success("Every key account has an account manager.")
else:
    show_table(
        unmanaged,
        {
            "customer_id": st.column_config.TextColumn("Customer id"),
            "customer_name": st.column_config.TextColumn("Customer"),
            "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
            "score": Figure("Score", "number", digits=1, help=f"0–100 under {definition_name}."),
            "reason": st.column_config.TextColumn("Why", help="Why no manager is named for it."),
            "region": st.column_config.TextColumn("Region"),
            "industry": st.column_config.TextColumn("Industry"),
            "revenue_t12m": Figure("Revenue, 12 months", help="After discounts and returns."),
            "net_contribution_t12m": Figure("Net contribution", help="Gross margin minus cost to serve."),
        },
        export=f"key-accounts-without-manager-{definition}.csv",
        caption=f"Key accounts under {definition_name} that nobody carries: assign a manager, or the "
        "account gets no key-account treatment.",
    )

# --- Plan vs actual by period ------------------------------------------------------------------
st.subheader("Plan against actual, by period")
# The manager picker narrows this section and the two below it (plans missing, exit reviews), and
# sits with them: above the capacity chart it looked as if it narrowed that, which it does not.
scope_column, manager_column = st.columns(2)
with scope_column:
    scope = url_widget(
        st.radio,
        "Accounts",
        ["key", "all"],
        key="plan_scope",
        param="scope",
        what="choice of accounts",
        where="on this page",
        format_func={
            "key": f"Key accounts under {definition_name}",
            "all": "All accounts with a plan",
        }.get,
        horizontal=True,
    )
with manager_column:
    manager = url_widget(
        st.selectbox,
        "Account manager",
        [ALL, *manager_names],
        key="resources_manager",
        param="manager",
        what="account manager",
        where="in the managers file",
        url_text=lambda value: "all" if value == ALL else value,
        format_func=lambda value: value if value == ALL else f"{manager_names[value]} · {value}",
        help="Narrows plan against actual, the key accounts without a plan and the exit-review "
        "candidates below to one manager's accounts. The capacity figures above always show every manager.",
    )
manager_filter = None if manager == ALL else manager
st.caption(
    "This section and the two below it show "
    + ("every manager's accounts." if manager_filter is None
       else f"the accounts of {markdown_text(manager_names[manager_filter])} only.")
)
periods = query(
    """
    select period_start,
           period_end,
           period_status,
           accounts,
           cast(target_revenue_to_date as double) as target_revenue_to_date,
           cast(actual_revenue as double) as actual_revenue,
           revenue_attainment,
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
    show_table(
        table,
        {
            "period": st.column_config.TextColumn("Period"),
            "period_status": st.column_config.TextColumn("Status"),
            "accounts": Figure("Accounts", "count", help="Accounts with a plan for the period."),
            "target_revenue_to_date": PLAN_FIGURES["target_revenue_to_date"],
            "actual_revenue": PLAN_FIGURES["actual_revenue"],
            "revenue_attainment": PLAN_FIGURES["revenue_attainment"],
            "below_plan": Figure("Below plan", "count", help=f"Accounts {below_plan_text()}."),
            "target_gross_margin_to_date": PLAN_FIGURES["target_gross_margin_to_date"],
            "actual_gross_margin": PLAN_FIGURES["actual_gross_margin"],
        },
        export=f"plan-vs-actual-{definition}-{scope}.csv",
        blank=not_started(table),
        caption=f"Below plan: an account {below_plan_text()}.",
    )

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
    show_table(
        unplanned,
        {
            "customer_id": st.column_config.TextColumn("Customer id"),
            "customer_name": st.column_config.TextColumn("Customer"),
            "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
            "manager": st.column_config.TextColumn("Account manager"),
            "region": st.column_config.TextColumn("Region"),
            "revenue_t12m": Figure("Revenue, 12 months", help="After discounts and returns."),
        },
        export=f"key-accounts-without-plan-{definition}.csv",
    )

# --- Exit-review candidates --------------------------------------------------------------------
st.subheader("Exit-review candidates")
reviews = query(
    """
    select customer_id, customer_name, account_manager_id, definition_name, score, score_rank,
           override_status, consecutive_periods_below_plan, latest_closed_period_end,
           latest_revenue_attainment, latest_margin_attainment, exit_review_reason
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
    reviews["override_status"] = reviews["override_status"].map({"key": "Kept key by decision"}).fillna("")
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
    show_table(
        table,
        {
            "customer_name": st.column_config.TextColumn("Customer"),
            "manager": st.column_config.TextColumn("Account manager"),
            "exit_review_reason": st.column_config.TextColumn("Why review", width="large"),
            "score": Figure("Score", "number", digits=1, help="0–100 under the cadence definition."),
            "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
            "consecutive_periods_below_plan": Figure(
                "Periods below", "count", help="Closed plan periods in a row below plan, up to the latest."
            ),
            "latest_closed_period_end": st.column_config.DateColumn(
                "Latest period ended", format="D MMM YYYY"
            ),
            "latest_revenue_attainment": Figure(
                "Revenue vs plan", "share", help="Revenue against target in the latest closed period."
            ),
            "latest_margin_attainment": Figure(
                "Margin vs plan", "share", help="Gross margin against target in the latest closed period."
            ),
            "override_status": st.column_config.TextColumn(
                "Manual decision", help="Kept on the key-account list by a decision, whatever its score."
            ),
            "customer_id": st.column_config.TextColumn("Customer id"),
        },
        export="exit-review-candidates.csv",
    )
st.caption(
    f"Key accounts under {cadence} that deserve an exit review: below plan in {periods_in_a_row} or more "
    f"closed periods in a row, or a score under {min_score} (often an account kept on the list by a "
    "manual decision)."
)
