"""Resources & cadence: who carries the key accounts, and are they delivering their plans."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.export import download_button
from dashboard.filters import (
    definition_select,
    input_gaps_notice,
    manager_labels,
    money_format,
)
from dashboard.plans import label_periods, plan_chart
from dashboard.text import chart_text, markdown_text
from dashboard.warehouse import query

ALL = "All account managers"


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
    "select account_manager_id, manager_name, capacity_accounts from staging.stg_account_managers "
    "order by manager_name, account_manager_id"
)
manager_names = dict(
    zip(
        managers["account_manager_id"],
        managers["manager_name"].fillna(managers["account_manager_id"]),
    )
)

pick_manager = st.columns(2)[0]
manager = pick_manager.selectbox(
    "Account manager",
    [ALL, *manager_names],
    format_func=lambda value: value if value == ALL else f"{manager_names[value]} · {value}",
    key="resources_manager",
    help="Narrows the plan figures and the exit reviews to one manager's accounts.",
)
manager_filter = None if manager == ALL else manager
definition_label = scoring.definition_label(definition)
st.caption(
    f"Key accounts under {definition_label} ({definitions[definition].rule_text()}), after manual "
    "decisions."
)

# --- Key accounts per manager against capacity --------------------------------------------------
load = query(
    """
    with key_accounts as (
        select scorecard.account_manager_id,
               count(*) as key_accounts,
               cast(sum(metrics.revenue_t12m) as double) as revenue,
               cast(sum(metrics.net_contribution_t12m) as double) as net_contribution
        from marts.key_account_scorecard as scorecard
        inner join marts.customer_metrics as metrics on scorecard.customer_id = metrics.customer_id
        where scorecard.definition_name = ? and scorecard.is_key_account
        group by scorecard.account_manager_id
    )
    select managers.account_manager_id,
           coalesce(managers.manager_name, managers.account_manager_id) as manager_name,
           managers.capacity_accounts,
           coalesce(key_accounts.key_accounts, 0) as key_accounts,
           coalesce(key_accounts.key_accounts, 0) - managers.capacity_accounts as over_capacity,
           coalesce(key_accounts.key_accounts, 0) / nullif(managers.capacity_accounts, 0) * 100 as utilisation,
           coalesce(key_accounts.revenue, 0) as revenue,
           -- No key accounts: no contribution; key accounts of unknown contribution: unknown.
           case when key_accounts.key_accounts is null then 0 else key_accounts.net_contribution end
               as net_contribution
    from staging.stg_account_managers as managers
    left join key_accounts on managers.account_manager_id = key_accounts.account_manager_id
    order by utilisation desc nulls last, manager_name
    """,
    (definition,),
)
unmanaged = query(
    """
    select scorecard.customer_id,
           scorecard.customer_name,
           scorecard.score_rank,
           scorecard.score,
           case
               when scorecard.account_manager_id is null then 'No account manager assigned'
               else 'Manager ' || scorecard.account_manager_id || ' is not in the managers file'
           end as reason,
           metrics.region,
           metrics.industry,
           cast(metrics.revenue_t12m as double) as revenue_t12m,
           cast(metrics.net_contribution_t12m as double) as net_contribution_t12m
    from marts.key_account_scorecard as scorecard
    inner join marts.customer_metrics as metrics on scorecard.customer_id = metrics.customer_id
    left join staging.stg_account_managers as managers
        on scorecard.account_manager_id = managers.account_manager_id
    where scorecard.definition_name = ? and scorecard.is_key_account
        and managers.account_manager_id is null
    order by scorecard.score_rank
    """,
    (definition,),
)

st.subheader("Key accounts per manager")
carried = int(load["key_accounts"].sum())
capacity = int(load["capacity_accounts"].fillna(0).sum())
over = load[load["over_capacity"] > 0]
# Without a managers file capacity is unknown, not zero.
has_managers = not load.empty
figures = st.columns(4)
figures[0].metric("Key accounts with a manager", f"{carried:,}")
figures[1].metric(
    "Capacity of all managers",
    f"{capacity:,}" if has_managers else "–",
    f"{carried / capacity:.0%} used" if capacity else None,
    delta_color="off",
    delta_arrow="off",
)
figures[2].metric(
    "Managers over capacity",
    f"{len(over):,}" if has_managers else "–",
    f"of {len(load):,}" if has_managers else None,
    delta_color="off",
    delta_arrow="off",
)
figures[3].metric("Key accounts without a manager", f"{len(unmanaged):,}")

if load.empty:
    st.info("No account-managers file was loaded: capacity cannot be shown.")
else:
    chart = load.sort_values(["utilisation", "manager_name"], ascending=[True, False])
    managers_shown = chart["manager_name"].map(chart_text)
    figure = go.Figure(
        [
            go.Bar(
                y=managers_shown,
                x=chart["key_accounts"],
                orientation="h",
                name="Key accounts",
                marker_color=[
                    "#E45756" if value > 0 else "#4C78A8" for value in chart["over_capacity"]
                ],
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
            "utilisation",
            "over_capacity",
            "revenue",
            "net_contribution",
        ],
        column_config={
            "manager_name": "Account manager",
            "account_manager_id": "Manager ID",
            "key_accounts": st.column_config.NumberColumn("Key accounts", format="%d"),
            "capacity_accounts": st.column_config.NumberColumn("Capacity", format="%d"),
            "utilisation": st.column_config.ProgressColumn(
                "Capacity used",
                format="%.0f %%",
                min_value=0,
                max_value=max(100.0, float(load["utilisation"].max() or 100)),
            ),
            "over_capacity": st.column_config.NumberColumn("Over (+) / free (−)", format="%+d"),
            "revenue": st.column_config.NumberColumn(
                "Key-account revenue, 12 months", format=money_format()
            ),
            "net_contribution": st.column_config.NumberColumn(
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
        f"Key accounts under {definition_label} that nobody carries: assign a manager, or the "
        "account gets no key-account treatment."
    )
    download_button(unmanaged, f"key-accounts-without-manager-{definition}.csv")

# --- Plan vs actual by period ------------------------------------------------------------------
st.subheader("Plan against actual, by period")
scope = st.radio(
    "Accounts",
    ["key", "all"],
    format_func={
        "key": f"Key accounts under {definition_label}",
        "all": "All accounts with a plan",
    }.get,
    horizontal=True,
    key="plan_scope",
)
periods = query(
    """
    select plans.period_start,
           plans.period_end,
           plans.period_status,
           count(*) as accounts,
           cast(sum(plans.target_revenue_to_date) as double) as target_revenue_to_date,
           cast(sum(plans.actual_revenue) as double) as actual_revenue,
           cast(sum(plans.actual_revenue) as double)
               / nullif(cast(sum(plans.target_revenue_to_date) as double), 0) * 100 as revenue_attainment,
           cast(sum(plans.target_gross_margin_to_date) as double) as target_gross_margin_to_date,
           cast(sum(plans.actual_gross_margin) as double) as actual_gross_margin,
           count(*) filter (where plans.is_below_plan) as below_plan
    from marts.account_plan_performance as plans
    left join marts.key_account_scorecard as scorecard
        on plans.customer_id = scorecard.customer_id and scorecard.definition_name = ?
    where (? = 'all' or coalesce(scorecard.is_key_account, false))
        and (cast(? as varchar) is null or plans.account_manager_id = ?)
    group by plans.period_start, plans.period_end, plans.period_status
    order by plans.period_start, plans.period_end
    """,
    (definition, scope, manager_filter, manager_filter),
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
    st.caption("Below plan: an account under 90 % of its revenue target to date.")
    download_button(table, f"plan-vs-actual-{definition}-{scope}.csv")

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
    scoring.definition_label(review_definitions["definition_name"].iloc[0])
    if len(review_definitions) == 1
    else "the cadence definition"
)
if reviews.empty:
    st.success(
        "No key account qualifies for an exit review"
        + ("" if manager_filter is None else f" among {markdown_text(manager_names[manager_filter])}'s accounts")
        + ": none is below plan two closed periods in a row or scores under 40."
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
    f"Key accounts under {cadence} that deserve an exit review: below plan in two or more closed "
    "periods in a row, or a score under 40 (often an account kept on the list by a manual decision)."
)
