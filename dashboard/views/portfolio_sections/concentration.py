"""The Portfolio page's concentration figures: how much the largest customers carry, and how much
of the margin rests on known costs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import format_share


def draw(figures: pd.Series) -> None:
    """`figures` are the portfolio's headline figures (marts.portfolio_concentration)."""
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
