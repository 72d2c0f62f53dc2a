"""The Portfolio page's tier matrix: the active customers by revenue tier and profit tier."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.ui import (
    INK,
    TIERS,
    Figure,
    format_money,
    format_share,
    pareto_tiers_text,
    show_chart,
    show_table,
)
from dashboard.warehouse import query


def draw(definition: str, revenue: float) -> None:
    """The nine cells of revenue tier × profit tier, what stands out, and the matrix as a table;
    key accounts under `definition`, revenue shares of the portfolio's `revenue`."""
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

    st.subheader("Revenue tier × profit tier")
    if matrix["contribution_tier"].isna().all():
        st.info(
            "No profit tiers: net contribution is unknown for every customer (see the notice above), "
            "so no one can be placed by profit."
        )
        return
    grid = (
        matrix.set_index(["revenue_tier", "contribution_tier"])
        .reindex(pd.MultiIndex.from_product([TIERS, TIERS], names=["revenue_tier", "contribution_tier"]))
        .fillna({"customers": 0, "key_accounts": 0, "revenue_t12m": 0, "net_contribution_t12m": 0})
        .reset_index()
    )
    grid["revenue_t12m"] = grid["revenue_t12m"].astype(float)
    grid["net_contribution_t12m"] = grid["net_contribution_t12m"].astype(float)
    grid["revenue_share"] = grid["revenue_t12m"] / revenue if revenue else 0.0
    # Short lines, so a cell holds its text on a phone (390 px) as on a desktop.
    grid["label"] = [
        (
            f"<b>{int(r.customers):,}</b> customers<br>{int(r.key_accounts):,} key"
            f"<br>{format_money(r.revenue_t12m)} · {format_share(r.revenue_share)}"
            f"<br>{format_money(r.net_contribution_t12m)} profit"
        )
        if r.customers
        else "no customers"
        for r in grid.itertuples()  # nine cells
    ]
    left, right = st.columns([3, 1])
    with left:
        shares = grid.pivot(index="revenue_tier", columns="contribution_tier", values="revenue_share").loc[list(TIERS), list(TIERS)]
        text = grid.pivot(index="revenue_tier", columns="contribution_tier", values="label").loc[list(TIERS), list(TIERS)]
        figure = go.Figure(
            go.Heatmap(
                z=shares.values,
                x=[f"Profit {t}" for t in TIERS],
                y=[f"Revenue {t}" for t in TIERS],
                text=text.values,
                texttemplate="%{text}",
                textfont={"size": 11, "color": INK},
                colorscale=[[0, "#f4f7fb"], [1, "#9dbde3"]],
                showscale=False,
                hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
                xgap=3,
                ygap=3,
            )
        )
        figure.update_layout(
            height=360,
            margin={"l": 4, "r": 4, "t": 4, "b": 4},
            yaxis={"autorange": "reversed"},
            xaxis={"side": "top"},
        )
        show_chart(figure, key="tier_matrix")
        st.caption(
            "Active customers by Pareto tier on revenue (rows) and on net contribution, the profit after "
            "cost to serve (columns). Each cell: customers, key accounts among them, their revenue and its "
            f"share of ours, their profit; the darker the cell, the more of our revenue it holds. Tier "
            f"{pareto_tiers_text()}."
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
        show_table(
            tier_table,
            {
                "Revenue tier": st.column_config.TextColumn("Revenue tier"),
                "Profit tier": st.column_config.TextColumn("Profit tier"),
                "Customers": Figure("Customers", "count", help="Active customers in the cell."),
                "Key accounts": Figure("Key accounts", "count", help="Key accounts among them, after manual decisions."),
                "Revenue, 12 months": Figure("Revenue, 12 months", help="Their revenue, last twelve months."),
                "Share of revenue": Figure("Share of revenue", "share", help="Their share of all our revenue."),
                "Net contribution, 12 months": Figure(
                    "Profit, 12 months", help="Their net contribution: gross margin minus cost to serve."
                ),
            },
            export="tier-matrix.csv",
            key="tier_table",
            caption="One row per cell of the matrix: customers, key accounts, revenue and net contribution.",
        )
