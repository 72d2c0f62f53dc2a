"""Plan against actual, drawn the same way for one account (the Account page) and for many (the
Resources & cadence page): rows of marts.account_plan_performance or aggregates of them, with
period_start, period_end, period_status, target_revenue_to_date, actual_revenue and
revenue_attainment in percent."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.ui import currency_symbol, format_share

PERIOD_STATUS = {"closed": "Closed", "in_progress": "In progress", "future": "Not started"}
TARGET_COLOUR, ACTUAL_COLOUR = "#BAB0AC", "#4C78A8"


def label_periods(periods: pd.DataFrame) -> pd.DataFrame:
    """The periods with a readable `period` ('Jan 2025 – Dec 2025') and status."""
    return periods.assign(
        period=[
            f"{start:%b %Y} – {end:%b %Y}"
            for start, end in zip(periods["period_start"], periods["period_end"])
        ],
        period_status=periods["period_status"].map(PERIOD_STATUS).fillna(periods["period_status"]),
    )


def plan_chart(periods: pd.DataFrame, caption: str) -> None:
    """Target to date against actual revenue per started period, the share of plan on each bar."""
    shown = periods[periods["period_status"] != PERIOD_STATUS["future"]]
    if shown.empty:
        return
    figure = go.Figure(
        [
            go.Bar(
                x=shown["period"],
                y=shown["target_revenue_to_date"],
                name="Target to date",
                marker_color=TARGET_COLOUR,
            ),
            go.Bar(
                x=shown["period"],
                y=shown["actual_revenue"],
                name="Actual",
                marker_color=ACTUAL_COLOUR,
                text=[format_share(value / 100) if pd.notna(value) else "" for value in shown["revenue_attainment"]],
                textposition="outside",
            ),
        ]
    )
    figure.update_layout(
        barmode="group", height=340, margin={"t": 30, "b": 10}, legend={"orientation": "h", "y": 1.12}
    )
    figure.update_yaxes(title_text="Revenue", tickprefix=currency_symbol(), tickformat="~s")
    st.plotly_chart(figure, width="stretch")
    st.caption(caption)
