"""The Account page's Sales tab: how loyal the customer is, and its revenue, gross margin and
orders month by month."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from plotly.subplots import make_subplots

from dashboard.ui import UNKNOWN, currency_symbol, format_share, show_chart, show_table
from dashboard.views.account_tabs.shared import (
    MARGIN_COLOUR,
    MONTHLY_FIGURES,
    ORDERS_COLOUR,
    REVENUE_COLOUR,
    missing,
    monthly_figures,
)


def draw(customer_id: str, metrics: pd.Series) -> None:
    """`metrics` is the customer's row of marts.customer_metrics."""
    monthly = monthly_figures(customer_id)
    loyalty = st.columns(5)
    loyalty[0].metric(
        "Orders, 12 months",
        f"{int(metrics['order_count_t12m'] or 0):,}",
        help="Orders in the last twelve months.",
    )
    loyalty[1].metric(
        "Months with orders, of 12",
        f"{int(metrics['active_months_t12m'] or 0)}",
        help="In how many of the last twelve months the customer ordered: 12 is every month.",
    )
    loyalty[2].metric(
        "Active years",
        UNKNOWN
        if missing(metrics["possible_years"])
        else f"{int(metrics['active_years'])} of {int(metrics['possible_years'])}",
        help="Calendar years with an order, of the years the customer could have ordered in.",
    )
    loyalty[3].metric(
        "Repeat rate",
        format_share(metrics["repeat_rate"]),
        help="Share of the months the customer bought in that came at most three months after the "
        "month it bought in before: how steadily it comes back.",
    )
    loyalty[4].metric(
        "Days since last order",
        UNKNOWN
        if missing(metrics["days_since_last_order"])
        else f"{int(metrics['days_since_last_order']):,}",
        "churn risk"
        if not missing(metrics["is_churn_risk"]) and bool(metrics["is_churn_risk"])
        else None,
        delta_color="inverse",
        help="Days from the last order to the reporting date; 'churn risk' when that silence lasts several "
        "times the customer's usual gap between orders.",
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
            name="Gross margin (hatched)",
            marker={"color": MARGIN_COLOUR, "pattern": {"shape": "/", "bgcolor": MARGIN_COLOUR, "fgcolor": "#ffffff", "solidity": 0.3}},
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
        show_chart(figure)
        st.caption(
            "Revenue (after returns, solid bars) and gross margin (hatched bars) per month; number of "
            "orders, the line with dots. Months without any order are not shown."
        )
        with st.expander("Monthly figures"):
            table = monthly.sort_values("month_start", ascending=False)
            show_table(table, MONTHLY_FIGURES, export=f"monthly-{customer_id}.csv")
