"""Account: one customer in depth, from monthly sales to why it is (or is not) a key account."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from dashboard import scoring
from dashboard.export import download_button
from dashboard.plans import label_periods, plan_chart
from dashboard.text import markdown_text
from dashboard.ui import (
    ATTRIBUTES,
    PERSPECTIVES,
    WALLET_SOURCES,
    below_plan_text,
    currency_symbol,
    definition_label,
    definition_select,
    format_money,
    format_share,
    input_gaps_notice,
    money_format,
    pareto_tiers_text,
)
from dashboard.warehouse import query

REVENUE_COLOUR, MARGIN_COLOUR, COST_COLOUR, ORDERS_COLOUR = (
    "#4C78A8",
    "#54A24B",
    "#E45756",
    "#F58518",
)
CHANGES = {
    "first_seen": "First recorded",
    "entered": "Entered the list",
    "left": "Left the list",
    "tier_change": "Tier change",
}
STATUS = {"key": "Key account", "not_key": "Not a key account"}
PICKER_LIMIT = 10_000  # customers the selectbox holds at once
PICKER_MATCHES = 500


def missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


st.title("Account")
input_gaps_notice()

customer_count = int(query("select count(*) as n from marts.customer_metrics")["n"].iloc[0])
if not customer_count:
    st.warning("The warehouse holds no customers yet.")
    st.stop()

definitions = scoring.presets()
definition = definition_select()
if definition not in definitions:
    st.warning(f"The definition {definition!r} is not in the warehouse's configuration.")
    st.stop()

requested = st.query_params.get("customer")
known = query(
    "select customer_id from marts.customer_metrics where customer_id = ?", (requested or "",)
)
if known.empty:
    top = query(
        """
        select customer_id from marts.key_account_scorecard
        where definition_name = 'balanced' and is_key_account
        order by score_rank limit 1
        """
    )
    if top.empty:
        top = query(
            "select customer_id from marts.customer_metrics order by revenue_t12m desc nulls last, customer_id limit 1"
        )
    requested = top["customer_id"].iloc[0]

# Up to PICKER_LIMIT customers the selectbox holds them all and searches as you type; above that
# (100,000 customers would make every keystroke slow in the browser) a search box narrows the
# choice on the server first.
picker_limit = st.session_state.get("account_picker_limit", PICKER_LIMIT)
if customer_count <= picker_limit:
    search = ""
    pick = st.columns([3, 2])[0]
    customers = query(
        "select customer_id, customer_name from marts.customer_metrics order by customer_name, customer_id"
    )
else:
    find, pick = st.columns([2, 3])
    search = find.text_input(
        "Find a customer",
        key="account_search",
        placeholder="Part of a name or ID",
        help=f"Searches all {customer_count:,} customers; the list shows the first {PICKER_MATCHES:,} matches.",
    ).strip()
    customers = query(
        """
        select customer_id, customer_name from marts.customer_metrics
        where ? = '' or contains(lower(customer_name), lower(?)) or contains(lower(customer_id), lower(?))
        order by case when customer_id = ? then 0 else 1 end,
                 case when ? = '' then -revenue_t12m end nulls last, customer_name, customer_id
        limit ?
        """,
        (search, search, search, "" if search else requested, search, PICKER_MATCHES),
    )
    if customers.empty:
        st.info(f"No customer name or ID contains “{markdown_text(search)}”.")
        st.stop()
names = dict(zip(customers["customer_id"], customers["customer_name"]))
ids = customers["customer_id"].tolist()
if requested not in names:
    requested = ids[0]

customer_id = pick.selectbox(
    "Customer",
    ids,
    index=ids.index(requested),
    format_func=lambda cid: f"{names[cid]} · {cid}",
    key="account_customer",
    help="Type to search by name or customer ID.",
)
if st.query_params.get("customer") != customer_id:
    st.query_params["customer"] = customer_id

metrics = query(
    """
    select m.*, managers.manager_name
    from marts.customer_metrics as m
    left join marts.account_managers as managers
        on m.account_manager_id = managers.account_manager_id
    where m.customer_id = ?
    """,
    (customer_id,),
).iloc[0]
card = query(
    "select * from marts.key_account_scorecard where customer_id = ? and definition_name = ?",
    (customer_id, definition),
)
card = card.iloc[0] if not card.empty else None

manager = (
    metrics["manager_name"]
    if not missing(metrics["manager_name"])
    else metrics["account_manager_id"]
)
st.subheader(markdown_text(metrics["customer_name"]))
st.caption(
    " · ".join(
        [
            markdown_text(customer_id),
            markdown_text(metrics["industry"]),
            markdown_text(metrics["region"]),
            f"{metrics['size_band']} employees"
            if metrics["size_band"] != "unknown"
            else "size unknown",
            f"account manager: {markdown_text(manager)}" if not missing(manager) else "no account manager",
            f"as of {metrics['reporting_date']:%d %B %Y}",
        ]
    )
)

definition_name = definition_label(definition)
if card is None:
    st.info(
        "Not on the scorecard: the customer bought nothing in the last twelve months, so it is "
        "not scored and cannot be a key account."
    )
else:
    status = (
        f"**Key account** under {definition_name}"
        if card["is_key_account"]
        else (f"**Not a key account** under {definition_name}")
    )
    detail = (
        f"score {card['score']:.1f}, rank {int(card['score_rank']):,}"
        if not missing(card["score"])
        else "no score"
    )
    tiers = ", ".join(
        f"{kind} tier {card[f'{kind}_tier']}"
        if not missing(card[f"{kind}_tier"])
        else f"{kind} tier unknown"
        for kind in ("revenue", "contribution")
    )
    override = ""
    if not missing(card["override_status"]):
        override = f" · by manual decision: {markdown_text(card['override_reason'])}"
    (st.success if card["is_key_account"] else st.info)(f"{status} · {detail} · {tiers}{override}")

st.caption("Last twelve months up to the reporting date.")
row1 = st.columns(6)
row1[0].metric(
    "Revenue",
    format_money(metrics["revenue_t12m"]),
    None
    if missing(metrics["revenue_growth_yoy"])
    else f"{format_share(metrics['revenue_growth_yoy'], signed=True)} vs year before",
)
row1[1].metric(
    "Gross margin",
    format_money(metrics["gross_margin_t12m"]),
    None
    if missing(metrics["gross_margin_pct_t12m"])
    else f"{format_share(metrics['gross_margin_pct_t12m'], 1)} margin",
    delta_color="off",
    delta_arrow="off",
)
row1[2].metric(
    "Cost to serve",
    format_money(metrics["cost_to_serve_t12m"]),
    help="Support, visits, rush shipping and returns handling.",
)
row1[3].metric(
    "Net contribution",
    format_money(metrics["net_contribution_t12m"]),
    None
    if missing(metrics["net_margin_pct_t12m"])
    else f"{format_share(metrics['net_margin_pct_t12m'], 1)} net margin",
    delta_color="off",
    delta_arrow="off",
)
row1[4].metric(
    "Share of wallet",
    format_share(metrics["share_of_wallet"]),
    None if missing(metrics["wallet"]) else f"of {format_money(metrics['wallet'])} wallet",
    delta_color="off",
    delta_arrow="off",
    help="Our revenue over the customer's yearly spend in our categories (market research, else "
    "estimated from similar companies).",
)
row1[5].metric(
    "Tenure",
    "–" if missing(metrics["tenure_months"]) else f"{int(metrics['tenure_months'])} months",
    None if missing(metrics["first_order_date"]) else f"since {metrics['first_order_date']:%b %Y}",
    delta_color="off",
    delta_arrow="off",
)

tab_sales, tab_wallet, tab_cost, tab_plan, tab_score, tab_history = st.tabs(
    [
        "Sales",
        "Share of wallet",
        "Cost to serve",
        "Plan vs actual",
        "Scorecard",
        "Status & overrides",
    ]
)

# --- Sales: monthly revenue, margin and orders ---------------------------------------------------
monthly = query(
    """
    select month_start,
           cast(revenue as double) as revenue,
           cast(gross_margin as double) as gross_margin,
           margin_coverage * 100 as margin_coverage,
           order_count,
           cast(cost_to_serve as double) as cost_to_serve,
           cast(net_contribution as double) as net_contribution
    from marts.customer_monthly
    where customer_id = ?
    order by month_start
    """,
    (customer_id,),
)
with tab_sales:
    loyalty = st.columns(5)
    loyalty[0].metric("Orders, 12 months", f"{int(metrics['order_count_t12m'] or 0):,}")
    loyalty[1].metric("Months with orders, of 12", f"{int(metrics['active_months_t12m'] or 0)}")
    loyalty[2].metric(
        "Active years",
        "–"
        if missing(metrics["possible_years"])
        else f"{int(metrics['active_years'])} of {int(metrics['possible_years'])}",
    )
    loyalty[3].metric("Repeat rate", format_share(metrics["repeat_rate"]))
    loyalty[4].metric(
        "Days since last order",
        "–"
        if missing(metrics["days_since_last_order"])
        else f"{int(metrics['days_since_last_order']):,}",
        "churn risk"
        if not missing(metrics["is_churn_risk"]) and bool(metrics["is_churn_risk"])
        else None,
        delta_color="inverse",
    )
    if monthly.empty:
        st.info("No orders recorded for this customer.")
    else:
        figure = make_subplots(specs=[[{"secondary_y": True}]])
        figure.add_bar(
            x=monthly["month_start"],
            y=monthly["revenue"],
            name="Revenue",
            marker_color=REVENUE_COLOUR,
        )
        figure.add_bar(
            x=monthly["month_start"],
            y=monthly["gross_margin"],
            name="Gross margin",
            marker_color=MARGIN_COLOUR,
        )
        figure.add_scatter(
            x=monthly["month_start"],
            y=monthly["order_count"],
            name="Orders",
            mode="lines+markers",
            line_color=ORDERS_COLOUR,
            secondary_y=True,
        )
        figure.update_layout(
            barmode="group",
            height=360,
            margin={"t": 30, "b": 10},
            legend={"orientation": "h", "y": 1.12},
        )
        figure.update_yaxes(title_text=currency_symbol().strip(), tickprefix=currency_symbol(), tickformat="~s", secondary_y=False)
        most_orders = int(monthly["order_count"].max() or 1)
        figure.update_yaxes(
            title_text="Orders",
            rangemode="tozero",
            showgrid=False,
            tick0=0,
            dtick=max(1, math.ceil(most_orders / 5)),
            secondary_y=True,
        )
        st.plotly_chart(figure, width="stretch")
        st.caption(
            "Revenue (after returns) and gross margin per month, bars; number of orders, line. "
            "Months without any order are not shown."
        )
        with st.expander("Monthly figures"):
            table = monthly.sort_values("month_start", ascending=False)
            st.dataframe(
                table,
                hide_index=True,
                width="stretch",
                column_config={
                    "month_start": st.column_config.DateColumn("Month", format="MMM YYYY"),
                    "revenue": st.column_config.NumberColumn("Revenue", format=money_format()),
                    "gross_margin": st.column_config.NumberColumn("Gross margin", format=money_format()),
                    "margin_coverage": st.column_config.NumberColumn(
                        "Margin coverage", format="%.0f %%"
                    ),
                    "order_count": st.column_config.NumberColumn("Orders", format="%d"),
                    "cost_to_serve": st.column_config.NumberColumn(
                        "Cost to serve", format=money_format()
                    ),
                    "net_contribution": st.column_config.NumberColumn(
                        "Net contribution", format=money_format()
                    ),
                },
            )
            download_button(table, f"monthly-{customer_id}.csv")

# --- Share of wallet over time -----------------------------------------------------------------
yearly = query(
    """
    select calendar_year, is_complete_year,
           cast(revenue as double) as revenue,
           cast(wallet as double) as wallet,
           wallet_source,
           share_of_wallet * 100 as share_of_wallet
    from marts.customer_yearly
    where customer_id = ?
    order by calendar_year
    """,
    (customer_id,),
)
with tab_wallet:
    if yearly.empty:
        st.info("No yearly figures for this customer.")
    else:
        year_labels = [
            f"{year}" if complete else f"{year} (part)"
            for year, complete in zip(yearly["calendar_year"], yearly["is_complete_year"])
        ]
        figure = make_subplots(specs=[[{"secondary_y": True}]])
        figure.add_bar(x=year_labels, y=yearly["wallet"], name="Wallet", marker_color="#BAB0AC")
        figure.add_bar(
            x=year_labels, y=yearly["revenue"], name="Our revenue", marker_color=REVENUE_COLOUR
        )
        figure.add_scatter(
            x=year_labels,
            y=yearly["share_of_wallet"],
            name="Share of wallet",
            mode="lines+markers",
            line_color=ORDERS_COLOUR,
            secondary_y=True,
        )
        figure.update_layout(
            barmode="group",
            height=340,
            margin={"t": 30, "b": 10},
            legend={"orientation": "h", "y": 1.12},
        )
        figure.update_yaxes(title_text=currency_symbol().strip(), tickprefix=currency_symbol(), tickformat="~s", secondary_y=False)
        figure.update_yaxes(
            title_text="Share of wallet",
            ticksuffix=" %",
            tickformat=".1~f",
            rangemode="tozero",
            showgrid=False,
            tickmode="auto",
            secondary_y=True,
        )
        figure.update_xaxes(type="category")
        st.plotly_chart(figure, width="stretch")
        st.caption(
            "What the customer spends per year in our categories (its wallet) against what it buys "
            "from us, and our share of it. A partial year compares part of a year of revenue with a "
            "full-year wallet."
        )
        table = yearly.sort_values("calendar_year", ascending=False).assign(
            wallet_source=lambda frame: frame["wallet_source"].map(WALLET_SOURCES)
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "calendar_year": st.column_config.NumberColumn("Year", format="%d"),
                "is_complete_year": st.column_config.CheckboxColumn("Full year"),
                "revenue": st.column_config.NumberColumn("Our revenue", format=money_format()),
                "wallet": st.column_config.NumberColumn("Wallet", format=money_format()),
                "wallet_source": "Wallet from",
                "share_of_wallet": st.column_config.NumberColumn(
                    "Share of wallet", format="%.1f %%"
                ),
            },
        )
        download_button(table, f"share-of-wallet-{customer_id}.csv")

# --- Cost to serve -----------------------------------------------------------------------------
with tab_cost:
    cost = metrics["cost_to_serve_t12m"]
    revenue = metrics["revenue_t12m"]
    orders = metrics["order_count_t12m"]
    columns = st.columns(3)
    columns[0].metric("Cost to serve, 12 months", format_money(cost))
    columns[1].metric(
        f"Per {currency_symbol().strip()} of revenue",
        "–"
        if missing(cost) or missing(revenue) or float(revenue) <= 0
        else format_share(float(cost) / float(revenue), 1),
    )
    columns[2].metric(
        "Per order",
        "–" if missing(cost) or not orders else format_money(float(cost) / float(orders)),
    )
    if missing(cost):
        st.info("No service-cost file was loaded: cost to serve and net contribution are unknown.")
    elif not monthly.empty:
        recent = monthly.tail(24)
        figure = make_subplots(specs=[[{"secondary_y": False}]])
        figure.add_bar(
            x=recent["month_start"],
            y=recent["cost_to_serve"],
            name="Cost to serve",
            marker_color=COST_COLOUR,
        )
        figure.add_scatter(
            x=recent["month_start"],
            y=recent["net_contribution"],
            name="Net contribution",
            mode="lines+markers",
            line_color=MARGIN_COLOUR,
        )
        figure.update_layout(
            height=320, margin={"t": 30, "b": 10}, legend={"orientation": "h", "y": 1.12}
        )
        figure.update_yaxes(title_text=currency_symbol().strip(), tickprefix=currency_symbol(), tickformat="~s")
        st.plotly_chart(figure, width="stretch")
        st.caption(
            "What serving the customer cost per month (support, visits, rush shipping, returns "
            "handling) and what it left after that: gross margin minus cost to serve. Last 24 "
            "months with orders."
        )

# --- Plan vs actual ----------------------------------------------------------------------------
plans = query(
    """
    select period_start, period_end, period_status,
           cast(target_revenue as double) as target_revenue,
           cast(target_revenue_to_date as double) as target_revenue_to_date,
           cast(actual_revenue as double) as actual_revenue,
           revenue_attainment * 100 as revenue_attainment,
           cast(target_gross_margin_to_date as double) as target_gross_margin_to_date,
           cast(actual_gross_margin as double) as actual_gross_margin,
           margin_attainment * 100 as margin_attainment,
           is_below_plan
    from marts.account_plan_performance
    where customer_id = ?
    order by period_start, period_end
    """,
    (customer_id,),
)
with tab_plan:
    if plans.empty:
        st.info("No account plan for this customer.")
    else:
        plans = label_periods(plans)
        plan_chart(
            plans,
            "Revenue against the account plan per period, with the share of plan reached; a period "
            "in progress is judged on its target pro-rated to the days elapsed.",
        )
        table = plans[
            [
                "period",
                "period_status",
                "target_revenue",
                "target_revenue_to_date",
                "actual_revenue",
                "revenue_attainment",
                "target_gross_margin_to_date",
                "actual_gross_margin",
                "margin_attainment",
                "is_below_plan",
            ]
        ]
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "period": "Period",
                "period_status": "Status",
                "target_revenue": st.column_config.NumberColumn("Revenue target", format=money_format()),
                "target_revenue_to_date": st.column_config.NumberColumn(
                    "Target to date", format=money_format()
                ),
                "actual_revenue": st.column_config.NumberColumn("Actual revenue", format=money_format()),
                "revenue_attainment": st.column_config.NumberColumn(
                    "Revenue vs plan", format="%.0f %%"
                ),
                "target_gross_margin_to_date": st.column_config.NumberColumn(
                    "Margin target to date", format=money_format()
                ),
                "actual_gross_margin": st.column_config.NumberColumn(
                    "Actual margin", format=money_format()
                ),
                "margin_attainment": st.column_config.NumberColumn(
                    "Margin vs plan", format="%.0f %%"
                ),
                "is_below_plan": st.column_config.CheckboxColumn("Below plan"),
            },
        )
        st.caption(f"Below plan: {below_plan_text()}.")
        download_button(table, f"plan-vs-actual-{customer_id}.csv")

# --- Scorecard explanation ---------------------------------------------------------------------
with tab_score:
    if card is None:
        st.info(
            "Not scored: only customers who bought in the last twelve months are on the scorecard."
        )
    else:
        cutoff = query(
            """
            select count(*) filter (where is_key_account_computed) as selected,
                   min(score) filter (where is_key_account_computed) as lowest_selected,
                   count(*) as scored
            from marts.key_account_scorecard
            where definition_name = ?
            """,
            (definition,),
        ).iloc[0]
        scaled_weights = query(
            f"""
            select {", ".join(f"{name}_weight" for name in scoring.NAMES)}
            from marts.key_account_definitions
            where definition_name = ?
            """,
            (definition,),
        ).iloc[0]
        parts = pd.DataFrame(
            {
                "attribute": [label for _, label, _ in ATTRIBUTES],
                "perspective": [PERSPECTIVES[perspective] for _, _, perspective in ATTRIBUTES],
                "value": [card[f"{name}_value"] for name in scoring.NAMES],
                "definition_weight": [scaled_weights[f"{name}_weight"] * 100 for name in scoring.NAMES],
                "weight": [card[f"{name}_weight"] * 100 for name in scoring.NAMES],
                "contribution": [card[f"{name}_contribution"] for name in scoring.NAMES],
            }
        )
        parts["note"] = [
            "not known: its weight is shared among the known attributes"
            if missing(value) and definition_weight > 0
            else ("not part of this definition" if definition_weight == 0 else "")
            for value, definition_weight in zip(parts["value"], parts["definition_weight"])
        ]
        verdict = (
            f"Scores **{card['score']:.1f}** of 100 under {definition_name}, rank "
            f"**{int(card['score_rank']):,}** of {int(cutoff['scored']):,}. "
            if not missing(card["score"])
            else f"No score under {definition_name}: none of the attributes it weighs is known. "
        )
        rule = definitions[definition]
        if rule.selection_rule == "manager_capacity":
            verdict += (
                "This definition picks each account manager's best accounts up to their capacity."
            )
        elif not missing(cutoff["lowest_selected"]):
            verdict += (
                f"The definition picks {int(cutoff['selected']):,} accounts ({rule.rule_text()}); "
                f"the lowest of them scores {cutoff['lowest_selected']:.1f}."
            )
        st.markdown(verdict)
        bars = parts.iloc[::-1]
        figure = go.Figure(
            go.Bar(
                x=bars["contribution"],
                y=bars["attribute"],
                orientation="h",
                marker_color=[
                    REVENUE_COLOUR if perspective == PERSPECTIVES["current"] else MARGIN_COLOUR
                    for perspective in bars["perspective"]
                ],
                text=[f"{value:.1f}" for value in bars["contribution"]],
                textposition="outside",
                customdata=bars[["value", "weight"]].fillna(-1).to_numpy(),
                hovertemplate="%{y}: %{x:.1f} points (value %{customdata[0]:.0f} × weight "
                "%{customdata[1]:.1f} %)<extra></extra>",
            )
        )
        figure.update_layout(
            height=340, margin={"t": 10, "b": 10}, xaxis_title="Points of the score"
        )
        st.plotly_chart(figure, width="stretch")
        st.caption(
            "How each attribute adds to the score: its value (0–100: revenue, profit and headroom on a "
            "log scale, where ten times the money is the same number of points; the others as the share "
            "of active customers this one beats) times its weight. Blue: performance today; green: "
            "future potential and fit."
        )
        st.dataframe(
            parts,
            hide_index=True,
            width="stretch",
            column_config={
                "attribute": st.column_config.TextColumn("Attribute", width="small"),
                "perspective": st.column_config.TextColumn("Perspective", width="small"),
                "value": st.column_config.NumberColumn("Value (0–100)", format="%.1f"),
                "definition_weight": st.column_config.NumberColumn(
                    "Definition's weight", format="%.1f %%"
                ),
                "weight": st.column_config.NumberColumn(
                    "Weight for this customer", format="%.1f %%"
                ),
                "contribution": st.column_config.NumberColumn("Points", format="%.1f"),
                "note": st.column_config.TextColumn("Note", width="large"),
            },
        )
        download_button(parts, f"scorecard-{customer_id}-{definition}.csv")

# --- Status, tier history and overrides --------------------------------------------------------
history = query(
    """
    select valid_from, reporting_date, change, is_key_account, revenue_tier, contribution_tier,
           previous_revenue_tier, previous_contribution_tier
    from marts.key_account_status_history
    where customer_id = ? and definition_name = ?
    order by valid_from desc
    """,
    (customer_id, definition),
)
decisions = query(
    """
    select forced_status, reason, decided_by, decided_on, expires_on, is_in_force
    from marts.account_overrides
    where customer_id = ?
    order by decided_on desc
    """,
    (customer_id,),
)
with tab_history:
    st.markdown(f"**Key-account status and tiers under {definition_name}**")
    if history.empty:
        st.info("No recorded history for this customer under this definition yet.")
    else:
        history["change"] = history["change"].map(CHANGES).fillna(history["change"])
        for column in (
            "revenue_tier",
            "contribution_tier",
            "previous_revenue_tier",
            "previous_contribution_tier",
        ):
            history[column] = history[column].fillna("–")
        st.dataframe(
            history,
            hide_index=True,
            width="stretch",
            column_config={
                "valid_from": st.column_config.DatetimeColumn("Recorded", format="D MMM YYYY"),
                "reporting_date": st.column_config.DateColumn("Figures as of", format="D MMM YYYY"),
                "change": "Change",
                "is_key_account": st.column_config.CheckboxColumn("Key account"),
                "revenue_tier": "Revenue tier",
                "contribution_tier": "Contribution tier",
                "previous_revenue_tier": "Revenue tier before",
                "previous_contribution_tier": "Contribution tier before",
            },
        )
        st.caption(
            "Each time a run found the account entering or leaving the key-account list, or moving "
            f"between Pareto tiers ({pareto_tiers_text()})."
        )
        download_button(history, f"status-history-{customer_id}-{definition}.csv")

    st.markdown("**Manual decisions**")
    if card is not None and not missing(card["override_status"]):
        expires = card["override_expires_on"]
        st.warning(
            f"In force: {STATUS.get(card['override_status'], card['override_status'])} — "
            f"{markdown_text(card['override_reason'])}"
            + ("" if missing(expires) else f" (until {expires:%d %B %Y})")
            + ". The computed status would be: "
            + ("key account." if card["is_key_account_computed"] else "not a key account.")
        )
    if decisions.empty:
        st.caption(
            "No manual decision was ever taken on this account: its status follows its score."
        )
    else:
        decisions["forced_status"] = (
            decisions["forced_status"].map(STATUS).fillna(decisions["forced_status"])
        )
        st.dataframe(
            decisions,
            hide_index=True,
            width="stretch",
            column_config={
                "forced_status": "Decision",
                "reason": "Reason",
                "decided_by": "Decided by",
                "decided_on": st.column_config.DateColumn("Decided on", format="D MMM YYYY"),
                "expires_on": st.column_config.DateColumn("Until", format="D MMM YYYY"),
                "is_in_force": st.column_config.CheckboxColumn("In force"),
            },
        )
        st.caption("Decisions by sales leadership that override the computed key-account status.")
        download_button(decisions, f"overrides-{customer_id}.csv")
