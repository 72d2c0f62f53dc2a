"""The Account page's Sales tab: how loyal the customer is, and its revenue, gross margin and
orders month by month."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from plotly.subplots import make_subplots

from dashboard.export import download_button
from dashboard.ui import currency_symbol, format_share, money_format
from dashboard.views.account_tabs.shared import (
    MARGIN_COLOUR,
    ORDERS_COLOUR,
    REVENUE_COLOUR,
    missing,
    monthly_figures,
)


def draw(customer_id: str, metrics: pd.Series) -> None:
    """`metrics` is the customer's row of marts.customer_metrics."""
    monthly = monthly_figures(customer_id)
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
