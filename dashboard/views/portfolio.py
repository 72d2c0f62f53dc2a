"""Portfolio: the customer base and its key accounts at a glance, as of the reporting date."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.export import download_button
from dashboard.ui import (
    TIERS,
    account_link,
    currency_symbol,
    definition_label,
    definition_select,
    flag_labels,
    format_money,
    format_share,
    input_gaps_notice,
    manager_labels,
    money_format,
    pareto_tiers_text,
    run_settings,
)
from dashboard.warehouse import query

# Charts draw at most about this many points per curve, whatever the number of customers.
CURVE_POINTS = 400
REVENUE_COLOUR = "#1f4e79"
CONTRIBUTION_COLOUR = "#2e8b57"
KEY_COLOUR = "#d9822b"

st.set_page_config(layout="wide")
definition = definition_select()

headline = query(
    """
    with key_accounts as (
        select count(*) as key_accounts,
               sum(m.revenue_t12m) as key_revenue,
               sum(m.net_contribution_t12m) as key_contribution
        from marts.key_account_scorecard s
        join marts.customer_metrics m on m.customer_id = s.customer_id
        where s.definition_name = ? and s.is_key_account
    )
    select (select count(*) from marts.customer_metrics) as customers,
           c.reporting_date, c.active_customers, c.revenue_t12m, c.net_contribution_t12m,
           c.top_customers_share, c.top_customers_revenue_share, c.top_customers_contribution_share,
           c.revenue_herfindahl, c.largest_customer_revenue_share, c.loss_making_customers,
           c.margin_coverage_t12m, k.key_accounts, k.key_revenue, k.key_contribution
    from marts.portfolio_concentration c
    cross join key_accounts k
    """,
    (definition,),
)

st.title("Portfolio")
input_gaps_notice(detailed=True)
if headline.empty or not headline["active_customers"].iloc[0]:
    st.warning("The warehouse holds no customer with revenue in the last twelve months yet.")
    st.stop()
figures = headline.iloc[0]
st.caption(
    f"As of {pd.Timestamp(figures['reporting_date']):%d %B %Y} · trailing twelve months · "
    f"key accounts under the definition **{definition_label(definition)}**"
)


def _share(part, whole) -> float | None:
    part, whole = float(part or 0), float(whole or 0)
    return part / whole if whole else None


revenue = float(figures["revenue_t12m"] or 0)
contribution = float(figures["net_contribution_t12m"] or 0)
key_accounts = int(figures["key_accounts"] or 0)
active = int(figures["active_customers"])

row = st.columns(4)
row[0].metric("Customers", f"{int(figures['customers']):,}", border=True, help="Every customer in the data.")
row[1].metric(
    "Active customers",
    f"{active:,}",
    border=True,
    help="Customers who bought from us in the last twelve months (net of returns).",
)
row[2].metric(
    "Revenue, 12 months",
    format_money(revenue),
    border=True,
    help=f"{currency_symbol()}{revenue:,.0f} in the last twelve months, after discounts and returns.",
)
row[3].metric(
    "Net contribution, 12 months",
    format_money(contribution),
    border=True,
    help=f"{currency_symbol()}{contribution:,.0f}: gross margin minus cost to serve, the last twelve months.",
)

key_group, concentration_group = st.columns(2)
with key_group:
    st.markdown(f"**Key accounts** · {definition_label(definition)}")
    row = st.columns(3)
    row[0].metric(
        "Key accounts",
        f"{key_accounts:,}",
        border=True,
        help=f"{format_share(_share(key_accounts, active), 1)} of the active customers.",
    )
    row[1].metric(
        "Share of revenue",
        format_share(_share(figures["key_revenue"], revenue)),
        border=True,
        help=f"The key accounts bring {format_money(figures['key_revenue'])} of {format_money(revenue)} revenue.",
    )
    row[2].metric(
        "Share of profit",
        format_share(_share(figures["key_contribution"], contribution)),
        border=True,
        help=f"The key accounts bring {format_money(figures['key_contribution'])} of {format_money(contribution)} "
        "net contribution; above 100 % when the other customers lose money in total.",
    )
with concentration_group:
    st.markdown("**Concentration and data quality**")
    row = st.columns(3)
    row[0].metric(
        f"Top {format_share(figures['top_customers_share'])} bring",
        format_share(figures["top_customers_revenue_share"]),
        border=True,
        help=f"Share of revenue earned from the largest {format_share(figures['top_customers_share'])} of the "
        "active customers (the 80 of 80/20). Of net contribution: "
        f"{format_share(figures['top_customers_contribution_share'])}.",
    )
    row[1].metric(
        "Herfindahl index",
        f"{float(figures['revenue_herfindahl'] or 0):.4f}",
        border=True,
        help="Herfindahl index on revenue, the sum of each customer's squared share: 1 / number of customers "
        "when all are equal, 1 when one customer is everything. The largest customer brings "
        f"{format_share(figures['largest_customer_revenue_share'], 1)} of revenue; "
        f"{int(figures['loss_making_customers'] or 0):,} active customers lose us money.",
    )
    row[2].metric(
        "Margin coverage",
        format_share(figures["margin_coverage_t12m"]),
        border=True,
        help="Share of revenue on order lines with a known cost: how much of the margin figures rests on data.",
    )

# --- Pareto curves ---------------------------------------------------------------------------

pareto = query(
    """
    with active as (select count(*) as n from marts.customer_metrics where is_active),
    key_accounts as (
        select customer_id from marts.key_account_scorecard where definition_name = ? and is_key_account
    ),
    curves as (
        select 'Revenue' as measure, m.customer_id, m.revenue_rank as rank,
               m.revenue_cumulative_share as cumulative_share
        from marts.customer_metrics m where m.is_active
        union all
        select 'Net contribution', m.customer_id, m.contribution_rank, m.contribution_cumulative_share
        from marts.customer_metrics m where m.is_active and m.contribution_cumulative_share is not null
    )
    select c.measure, c.rank / a.n as customer_share, c.cumulative_share,
           k.customer_id is not null as is_key_account
    from curves c
    cross join active a
    left join key_accounts k on k.customer_id = c.customer_id
    where c.rank = 1 or c.rank = a.n or c.rank % greatest(1, a.n // ?) = 0 or k.customer_id is not null
    order by c.measure, c.rank
    """,
    (definition, CURVE_POINTS),
)

left, right = st.columns(2)
with left:
    st.subheader("Pareto: revenue and profit")
    figure = go.Figure()
    for measure, colour in (("Revenue", REVENUE_COLOUR), ("Net contribution", CONTRIBUTION_COLOUR)):
        curve = pareto[pareto["measure"] == measure]
        if curve.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=[0.0, *curve["customer_share"]],
                y=[0.0, *curve["cumulative_share"]],
                mode="lines",
                name=f"{measure}",
                line={"color": colour, "width": 2.5},
                hovertemplate="Top %{x:.1%} of customers bring %{y:.1%} of " + measure.lower() + "<extra></extra>",
            )
        )
        keys = curve[curve["is_key_account"]]
        figure.add_trace(
            go.Scatter(
                x=keys["customer_share"],
                y=keys["cumulative_share"],
                mode="markers",
                name="Key accounts" if measure == "Revenue" else "Key accounts (profit)",
                legendgroup="key",
                showlegend=measure == "Revenue",
                marker={"color": KEY_COLOUR, "size": 6, "line": {"width": 0}},
                hovertemplate="Key account at the top %{x:.1%} by " + measure.lower() + "<extra></extra>",
            )
        )
    settings = run_settings()
    for cut, label in (
        (settings["pareto_a_cutoff"], f"A | B: {format_share(settings['pareto_a_cutoff'])}"),
        (settings["pareto_b_cutoff"], f"B | C: {format_share(settings['pareto_b_cutoff'])}"),
    ):
        figure.add_hline(y=cut, line={"dash": "dot", "color": "#888", "width": 1}, annotation_text=label,
                         annotation_position="bottom right", annotation_font_color="#666")
    figure.update_layout(
        height=400,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": "Share of active customers, largest first", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"title": "Cumulative share", "tickformat": ".0%", "range": [0, 1.02]},
        legend={"orientation": "h", "yanchor": "bottom", "y": 0.02, "xanchor": "right", "x": 0.98},
        hovermode="closest",
    )
    st.plotly_chart(figure, width="stretch", key="pareto_chart")
    st.caption(
        "Customers ranked from largest to smallest, cumulated: the steeper the start, the more a few "
        "customers carry the business. Dots mark the key accounts; the dotted lines are the A/B/C tier cuts."
    )

# --- Whale curve -----------------------------------------------------------------------------

whale = query(
    """
    with curve as (
        select contribution_rank, customer_share, cumulative_contribution_share, customer_name,
               max(cumulative_contribution_share) over () as peak,
               count(*) over () as n
        from marts.whale_curve
    )
    select contribution_rank, customer_share, cumulative_contribution_share, customer_name,
           cumulative_contribution_share = peak as is_peak
    from curve
    where cumulative_contribution_share is not null
      and (contribution_rank = 1 or contribution_rank = n or cumulative_contribution_share = peak
           or contribution_rank % greatest(1, n // ?) = 0)
    order by contribution_rank
    """,
    (CURVE_POINTS,),
)

with right:
    st.subheader("Whale curve: what loss-makers cost")
    if whale.empty:
        st.info(
            "No whale curve: net contribution is unknown for every customer (see the notice above)."
            if pd.isna(figures["net_contribution_t12m"])
            else "No whale curve: the active customers make no profit in total."
        )
    else:
        peak = whale[whale["is_peak"]].iloc[0]
        figure = go.Figure(
            go.Scatter(
                x=[0.0, *whale["customer_share"]],
                y=[0.0, *whale["cumulative_contribution_share"]],
                mode="lines",
                fill="tozeroy",
                line={"color": CONTRIBUTION_COLOUR, "width": 2.5},
                fillcolor="rgba(46,139,87,0.12)",
                hovertemplate="The %{x:.1%} most profitable customers earn %{y:.1%} of the net contribution<extra></extra>",
                name="Cumulative net contribution",
            )
        )
        figure.add_hline(y=1.0, line={"dash": "dot", "color": "#888", "width": 1},
                         annotation_text="100 % = what we earn in total", annotation_position="bottom right",
                         annotation_font_color="#666")
        figure.add_annotation(
            x=float(peak["customer_share"]),
            y=float(peak["cumulative_contribution_share"]),
            text=(
                f"Peak {format_share(peak['cumulative_contribution_share'])} after "
                f"{format_share(peak['customer_share'])} of customers"
            ),
            showarrow=True,
            arrowhead=2,
            ax=-110,
            ay=-45,
        )
        top = max(1.05, float(whale["cumulative_contribution_share"].max())) * 1.12
        figure.update_layout(
            height=400,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"title": "Share of active customers, most profitable first", "tickformat": ".0%", "range": [0, 1]},
            yaxis={"title": "Cumulative net contribution", "tickformat": ".0%", "range": [0, top]},
            showlegend=False,
        )
        st.plotly_chart(figure, width="stretch", key="whale_chart")
        destroyed = float(peak["cumulative_contribution_share"]) - 1.0
        st.caption(
            "Cumulative net contribution, most profitable customers first. The curve rises above 100 % and "
            f"falls back as loss-making customers are added: they give away {format_share(destroyed)} of "
            "what we earn in total."
        )

# --- Revenue tier x profit tier --------------------------------------------------------------

matrix = query(
    """
    select m.revenue_tier, m.contribution_tier,
           count(*) as customers,
           count(*) filter (where s.is_key_account) as key_accounts,
           sum(m.revenue_t12m) as revenue_t12m,
           sum(m.net_contribution_t12m) as net_contribution_t12m
    from marts.customer_metrics m
    left join marts.key_account_scorecard s
      on s.customer_id = m.customer_id and s.definition_name = ?
    where m.is_active
    group by all
    order by 1, 2
    """,
    (definition,),
)

def draw_tier_matrix(matrix: pd.DataFrame) -> None:
    """The nine cells of revenue tier × profit tier, what stands out, and the matrix as a table."""
    grid = (
        matrix.set_index(["revenue_tier", "contribution_tier"])
        .reindex(pd.MultiIndex.from_product([TIERS, TIERS], names=["revenue_tier", "contribution_tier"]))
        .fillna({"customers": 0, "key_accounts": 0, "revenue_t12m": 0, "net_contribution_t12m": 0})
        .reset_index()
    )
    grid["revenue_t12m"] = grid["revenue_t12m"].astype(float)
    grid["net_contribution_t12m"] = grid["net_contribution_t12m"].astype(float)
    grid["revenue_share"] = grid["revenue_t12m"] / revenue if revenue else 0.0
    grid["label"] = [
        f"<b>{int(r.customers):,}</b> customers · {int(r.key_accounts):,} key"
        f"<br>{format_money(r.revenue_t12m)} revenue ({format_share(r.revenue_share)})"
        f"<br>{format_money(r.net_contribution_t12m)} net contribution"
        for r in grid.itertuples()  # nine cells
    ]
    left, right = st.columns([3, 1])
    with left:
        shares = grid.pivot(index="revenue_tier", columns="contribution_tier", values="revenue_share").loc[list(TIERS), list(TIERS)]
        text = grid.pivot(index="revenue_tier", columns="contribution_tier", values="label").loc[list(TIERS), list(TIERS)]
        figure = go.Figure(
            go.Heatmap(
                z=shares.values,
                x=[f"Profit tier {t}" for t in TIERS],
                y=[f"Revenue tier {t}" for t in TIERS],
                text=text.values,
                texttemplate="%{text}",
                textfont={"size": 12},
                colorscale=[[0, "#f4f7fb"], [1, "#7fa8d8"]],
                showscale=False,
                hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
                xgap=3,
                ygap=3,
            )
        )
        figure.update_layout(
            height=330,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            yaxis={"autorange": "reversed"},
            xaxis={"side": "top"},
        )
        st.plotly_chart(figure, width="stretch", key="tier_matrix")
        st.caption(
            "Active customers by Pareto tier on revenue (rows) and on net contribution (columns); the darker the "
            f"cell, the more of our revenue it holds. Tier {pareto_tiers_text()}."
        )
    with right:
        def cell(revenue_tier: str, contribution_tier: str) -> pd.Series:
            return grid[(grid["revenue_tier"] == revenue_tier) & (grid["contribution_tier"] == contribution_tier)].iloc[0]

        big_thin = cell("A", "C")
        small_rich = grid[(grid["revenue_tier"] == "C") & (grid["contribution_tier"].isin(["A", "B"]))]
        st.markdown(
            f"**Big, but earn little** (revenue A, profit C): {int(big_thin['customers']):,} customers, "
            f"{format_share(big_thin['revenue_share'])} of revenue, {int(big_thin['key_accounts']):,} of them key "
            "accounts.\n\n"
            f"**Small, but profitable** (revenue C, profit A or B): {int(small_rich['customers'].sum()):,} customers, "
            f"{int(small_rich['key_accounts'].sum()):,} of them key accounts."
        )
    tier_table = grid.drop(columns="label").rename(
        columns={
            "revenue_tier": "Revenue tier",
            "contribution_tier": "Profit tier",
            "customers": "Customers",
            "key_accounts": "Key accounts",
            "revenue_t12m": "Revenue, 12 months",
            "revenue_share": "Share of revenue",
            "net_contribution_t12m": "Net contribution, 12 months",
        }
    )
    with st.expander("The matrix as a table"):
        st.dataframe(
            tier_table,
            hide_index=True,
            width="stretch",
            key="tier_table",
            column_config={
                "Customers": st.column_config.NumberColumn(format="localized"),
                "Key accounts": st.column_config.NumberColumn(format="localized"),
                "Revenue, 12 months": st.column_config.NumberColumn(format=money_format()),
                "Share of revenue": st.column_config.NumberColumn(format="percent"),
                "Net contribution, 12 months": st.column_config.NumberColumn(format=money_format()),
            },
        )
        st.caption("One row per cell of the matrix: customers, key accounts, revenue and net contribution.")
        download_button(tier_table, "tier-matrix.csv")


st.subheader("Revenue tier × profit tier")
if matrix["contribution_tier"].isna().all():
    st.info(
        "No profit tiers: net contribution is unknown for every customer (see the notice above), "
        "so no one can be placed by profit."
    )
else:
    draw_tier_matrix(matrix)

# --- The key accounts ------------------------------------------------------------------------

keys = query(
    """
    select s.score_rank, s.customer_id, s.customer_name, s.account_manager_id, m.region, m.industry,
           s.score, m.revenue_t12m, m.net_contribution_t12m, m.net_margin_pct_t12m,
           s.revenue_tier, s.contribution_tier,
           s.is_big_but_unprofitable, s.is_big_revenue_one_off, s.is_easy_sell_no_growth, s.is_tomorrows_oak,
           s.is_key_account_computed, s.override_status, s.override_reason
    from marts.key_account_scorecard s
    join marts.customer_metrics m on m.customer_id = s.customer_id
    where s.definition_name = ? and s.is_key_account
    order by s.score_rank
    """,
    (definition,),
)

st.subheader(f"The key accounts under {definition_label(definition)}")
shown = pd.DataFrame(
    {
        "score_rank": keys["score_rank"],
        "customer_name": keys["customer_name"],
        "score": keys["score"],
        "revenue_t12m": keys["revenue_t12m"].astype(float),
        "net_contribution_t12m": keys["net_contribution_t12m"].astype(float),
        "net_margin_pct_t12m": keys["net_margin_pct_t12m"],
        "revenue_tier": keys["revenue_tier"],
        "contribution_tier": keys["contribution_tier"],
        "flags": flag_labels(keys),
        "manager": manager_labels(keys["account_manager_id"]),
        "region": keys["region"],
        "industry": keys["industry"],
        "status": keys["override_status"].map(
            {"key": "Key by decision", "not_key": "Not key by decision"}
        ).fillna("Selected by score"),
        "customer_id": keys["customer_id"],
    }
)
selection = st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    height=420,
    key="key_accounts_table",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "score_rank": st.column_config.NumberColumn("Rank", format="%d", width="small"),
        "customer_name": st.column_config.TextColumn("Customer", width="large"),
        "score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%.1f"),
        "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
        "net_contribution_t12m": st.column_config.NumberColumn("Net contribution", format=money_format()),
        "net_margin_pct_t12m": st.column_config.NumberColumn("Net margin", format="percent"),
        "revenue_tier": st.column_config.TextColumn("Revenue tier", width="small"),
        "contribution_tier": st.column_config.TextColumn("Profit tier", width="small"),
        "flags": st.column_config.TextColumn("Flags"),
        "manager": st.column_config.TextColumn("Account manager"),
        "region": st.column_config.TextColumn("Region"),
        "industry": st.column_config.TextColumn("Industry"),
        "status": st.column_config.TextColumn("Status"),
        "customer_id": st.column_config.TextColumn("Customer id"),
    },
)
st.caption(
    f"{len(shown):,} key accounts ranked by their score under {definition_label(definition)}; "
    "“by decision” marks a manual override. Select a row to open the account."
)
chosen_rows = selection.selection.rows if selection is not None else []
if chosen_rows:
    picked = shown.iloc[chosen_rows[0]]
    account_link(picked["customer_id"], picked["customer_name"])
download_button(
    shown.rename(
        columns={
            "score_rank": "Rank",
            "customer_name": "Customer",
            "score": "Score",
            "revenue_t12m": "Revenue, 12 months",
            "net_contribution_t12m": "Net contribution, 12 months",
            "net_margin_pct_t12m": "Net margin",
            "revenue_tier": "Revenue tier",
            "contribution_tier": "Profit tier",
            "flags": "Flags",
            "manager": "Account manager",
            "region": "Region",
            "industry": "Industry",
            "status": "Status",
            "customer_id": "Customer id",
        }
    ),
    f"key-accounts-{definition}.csv",
)

# --- The development list --------------------------------------------------------------------

development = query(
    """
    select s.score_rank, s.customer_id, s.customer_name, s.account_manager_id,
           m.revenue_t12m, m.revenue_growth, m.share_of_wallet, m.tomorrows_oak_reason
    from marts.key_account_scorecard s
    join marts.customer_metrics m on m.customer_id = s.customer_id
    where s.definition_name = ? and s.is_development_account
    order by s.score_rank
    """,
    (definition,),
)

st.subheader("The development list: tomorrow's oaks")
st.markdown(
    f"Tomorrow's oaks that {definition_label(definition)} does not pick: small today, but growing "
    "fast and steadily, with most of their wallet still to win and a good strategic fit. Not key "
    "accounts yet; accounts to grow into them."
)
if development.empty:
    st.success(
        f"No tomorrow's oak is left off the key accounts: {definition_label(definition)} picks "
        "every customer flagged as one, or none is flagged."
    )
else:
    growing = pd.DataFrame(
        {
            "score_rank": development["score_rank"],
            "customer_name": development["customer_name"],
            "revenue_t12m": development["revenue_t12m"].astype(float),
            "revenue_growth": development["revenue_growth"],
            "share_of_wallet": development["share_of_wallet"],
            "reason": development["tomorrows_oak_reason"],
            "manager": manager_labels(development["account_manager_id"]),
            "customer_id": development["customer_id"],
        }
    )
    picked_development = st.dataframe(
        growing,
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(growing)),
        key="development_table",
        on_select="rerun",
        selection_mode="single-row",
        column_config={
            "score_rank": st.column_config.NumberColumn("Rank", format="%d", width="small"),
            "customer_name": st.column_config.TextColumn("Customer", width="medium"),
            "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
            "revenue_growth": st.column_config.NumberColumn(
                "Growth a year",
                format="percent",
                help="Revenue growth a year: year on year, else the three-year trend, else (a one-year export) "
                "the trend through the year's months against the typical customer's.",
            ),
            "share_of_wallet": st.column_config.NumberColumn(
                "Share of wallet",
                format="percent",
                help="Our revenue as a share of what the customer spends on what we sell: the rest is still to win.",
            ),
            "reason": st.column_config.TextColumn("Why it is a tomorrow's oak", width="large"),
            "manager": st.column_config.TextColumn("Account manager"),
            "customer_id": st.column_config.TextColumn("Customer id"),
        },
    )
    st.caption(
        f"{len(growing):,} accounts to develop, ranked by their score under {definition_label(definition)}. "
        "Select a row to open the account."
    )
    development_rows = picked_development.selection.rows if picked_development is not None else []
    if development_rows:
        chosen_oak = growing.iloc[development_rows[0]]
        account_link(chosen_oak["customer_id"], chosen_oak["customer_name"])
    download_button(
        growing.rename(
            columns={
                "score_rank": "Rank",
                "customer_name": "Customer",
                "revenue_t12m": "Revenue, 12 months",
                "revenue_growth": "Growth a year",
                "share_of_wallet": "Share of wallet",
                "reason": "Why it is a tomorrow's oak",
                "manager": "Account manager",
                "customer_id": "Customer id",
            }
        ),
        f"development-list-{definition}.csv",
    )
