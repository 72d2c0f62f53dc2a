"""Plan against actual, drawn the same way for one account (the Account page) and for many (the
Resources & cadence page): rows of marts.account_plan_performance or aggregates of them, with
period_start, period_end, period_status, target_revenue_to_date, actual_revenue and
revenue_attainment (a share: 0.97). A period not started yet shows blank figures, not '€0'."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.ui import Figure, currency_symbol, format_share, show_chart

PERIOD_STATUS = {"closed": "Closed", "in_progress": "In progress", "future": "Not started"}
TARGET_COLOUR, ACTUAL_COLOUR = "#D5CFCB", "#4C78A8"

# The plan figures as table columns; the figures of a period not started are blank (`not_started`).
PLAN_FIGURES = {
    "target_revenue": Figure("Revenue target", help="The revenue the plan asks for over the whole period."),
    "target_revenue_to_date": Figure(
        "Target to date",
        help="The revenue target pro-rated to the days of the period elapsed by the reporting date.",
    ),
    "actual_revenue": Figure("Actual revenue", help="Revenue in the period so far."),
    "revenue_attainment": Figure(
        "Revenue vs plan", "share", help="Actual revenue over the target to date: 100 % is on plan."
    ),
    "target_gross_margin_to_date": Figure("Margin target", help="The gross-margin target to date."),
    "actual_gross_margin": Figure("Actual margin", help="Gross margin in the period so far."),
    "margin_attainment": Figure(
        "Margin vs plan", "share", help="Actual gross margin over the margin target to date."
    ),
}
NOT_DUE = (
    "target_revenue_to_date",
    "actual_revenue",
    "revenue_attainment",
    "target_gross_margin_to_date",
    "actual_gross_margin",
    "margin_attainment",
    "below_plan",
)


def not_started(periods: pd.DataFrame) -> dict[str, pd.Series]:
    """show_table's `blank`: the figures of the periods not started yet, which have none to show."""
    future = periods["period_status"].isin(["future", PERIOD_STATUS["future"]]).reset_index(drop=True)
    return {column: future for column in NOT_DUE if column in periods}


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
                name="Target to date (hatched)",
                marker={"color": TARGET_COLOUR, "line": {"color": "#6F6560", "width": 1},
                        "pattern": {"shape": "/", "fgcolor": "#6F6560", "size": 6}},
            ),
            go.Bar(
                x=shown["period"],
                y=shown["actual_revenue"],
                name="Actual",
                marker_color=ACTUAL_COLOUR,
                text=[format_share(value) if pd.notna(value) else "" for value in shown["revenue_attainment"]],
                textposition="outside",
                cliponaxis=False,
            ),
        ]
    )
    figure.update_layout(
        barmode="group", height=340, margin={"t": 30, "b": 10}, legend={"orientation": "h", "y": 1.12}
    )
    figure.update_yaxes(title_text="Revenue", tickprefix=currency_symbol(), tickformat="~s")
    show_chart(figure)
    st.caption(caption + " Hatched bars: the target to date; solid bars: actual revenue, with the share of "
               "plan reached above them.")
