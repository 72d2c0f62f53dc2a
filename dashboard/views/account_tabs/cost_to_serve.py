"""The Account page's Cost to serve tab: what serving the customer costs, per unit of revenue and
per order, and what it leaves month by month."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from plotly.subplots import make_subplots

from dashboard.ui import UNKNOWN, currency_symbol, format_money, format_share, show_chart
from dashboard.views.account_tabs.shared import (
    COST_COLOUR,
    MARGIN_COLOUR,
    missing,
    monthly_figures,
)


def draw(customer_id: str, metrics: pd.Series) -> None:
    """`metrics` is the customer's row of marts.customer_metrics."""
    monthly = monthly_figures(customer_id)
    cost = metrics["cost_to_serve_t12m"]
    revenue = metrics["revenue_t12m"]
    orders = metrics["order_count_t12m"]
    columns = st.columns(3)
    columns[0].metric(
        "Cost to serve, 12 months",
        format_money(cost),
        help="Support, visits, rush shipping and returns handling for this customer. A dash: unknown, "
        "as no service costs were loaded.",
    )
    columns[1].metric(
        "Share of revenue",
        UNKNOWN
        if missing(cost) or missing(revenue) or float(revenue) <= 0
        else format_share(float(cost) / float(revenue), 1),
        help=f"What serving the customer costs for each {currency_symbol().strip() or 'unit'} it buys, "
        "as a share of its revenue.",
    )
    columns[2].metric(
        "Per order",
        UNKNOWN if missing(cost) or not orders else format_money(float(cost) / float(orders)),
        help="Cost to serve over the orders of the last twelve months.",
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
        show_chart(figure)
        st.caption(
            "What serving the customer cost per month (bars: support, visits, rush shipping, returns "
            "handling) and what it left after that (the line with dots: gross margin minus cost to "
            "serve). Last 24 months with orders."
        )
