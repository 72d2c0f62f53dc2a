"""What several parts of the Account page use: the colour of each measure in its charts, the test
for a figure the warehouse does not know, and the customer's monthly figures (the Sales and Cost to
serve tabs both chart them)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import Figure
from dashboard.warehouse import query

REVENUE_COLOUR, MARGIN_COLOUR, COST_COLOUR, ORDERS_COLOUR = (
    "#4C78A8",
    "#54A24B",
    "#E45756",
    "#F58518",
)


# The monthly figures as a table (monthly_figures' columns).
MONTHLY_FIGURES = {
    "month_start": st.column_config.DateColumn("Month", format="MMM YYYY"),
    "revenue": Figure("Revenue", help="After discounts and returns."),
    "gross_margin": Figure("Gross margin", help="Revenue minus the cost of the goods."),
    "margin_coverage": Figure(
        "Margin coverage", "share", help="Share of the month's revenue on order lines with a known cost."
    ),
    "order_count": Figure("Orders", "count", help="Orders placed in the month."),
    "cost_to_serve": Figure(
        "Cost to serve", help="Support, visits, rush shipping and returns handling. A dash: unknown."
    ),
    "net_contribution": Figure("Net contribution", help="Gross margin minus cost to serve."),
}


def missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def monthly_figures(customer_id: str) -> pd.DataFrame:
    """The customer's months with orders, oldest first: revenue, gross margin, margin coverage
    (a share, 0.98), orders, cost to serve and net contribution."""
    return query(
        """
        select month_start,
               cast(revenue as double) as revenue,
               cast(gross_margin as double) as gross_margin,
               margin_coverage,
               order_count,
               cast(cost_to_serve as double) as cost_to_serve,
               cast(net_contribution as double) as net_contribution
        from marts.customer_monthly
        where customer_id = ?
        order by month_start
        """,
        (customer_id,),
    )
