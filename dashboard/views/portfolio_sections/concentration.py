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
        "active customers (the 80 of the 80/20 rule). Of net contribution: "
        f"{format_share(figures['top_customers_contribution_share'])}.",
    )
    herfindahl = figures["revenue_herfindahl"]
    equal = None if pd.isna(herfindahl) or not herfindahl else 1 / float(herfindahl)
    row[1].metric(
        "Herfindahl",
        "–" if equal is None else f"{float(herfindahl):.4f}",
        border=True,
        help="How concentrated revenue is (the Herfindahl index: the sum of each customer's squared share "
        "of revenue), read as a number of customers: revenue is as concentrated as if "
        + ("that many" if equal is None else f"{equal:,.0f}")
        + " customers of equal size shared it. The fewer, the more a handful of customers carries the "
        "business: 1 means one customer is everything, and with every active customer the same size it "
        "would be their number. The largest customer brings "
        f"{format_share(figures['largest_customer_revenue_share'], 1)} of revenue; "
        f"{int(figures['loss_making_customers'] or 0):,} active customers lose us money.",
    )
    row[2].metric(
        "Margin coverage",
        format_share(figures["margin_coverage_t12m"]),
        border=True,
        help="Share of revenue on order lines with a known cost: how much of the margin and profit figures "
        "rests on data rather than on gaps.",
    )
    if equal is not None:
        st.caption(
            f"Herfindahl {float(herfindahl):.4f}: revenue is as concentrated as if {equal:,.0f} customers of "
            f"equal size shared it (of {int(figures['active_customers']):,} active); the fewer, the more a "
            "handful of customers carries the business."
        )
