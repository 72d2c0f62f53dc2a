"""The Definitions lab's backtest: would each definition have chosen well `backtest_months` (a dbt
var, 12 by default) before the reporting date? The page states that distance from
marts.run_settings: "a year ago" at 12 months, "18 months ago" at 18."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import scoring
from dashboard.export import download_button
from dashboard.ui import (
    currency_symbol,
    definition_label,
    format_growth,
    format_money,
    format_share,
    months_text,
    run_settings,
    show_table,
)
from dashboard.warehouse import query

# The backtest: each definition as configured today, applied to the customers as they stood
# `backtest_months` before the reporting date, and its picks followed to the reporting date, beside
# as many customers picked by revenue alone (marts.definition_backtest; the latest backtest date
# when it holds more).
BACKTEST_SQL = """
select definition_name, backtest_date, reporting_date, accounts_picked,
       retained_share, revenue_ranking_retained_share,
       revenue_growth, revenue_ranking_revenue_growth,
       cast(contribution_after as double) as contribution_after,
       cast(revenue_ranking_contribution_after as double) as revenue_ranking_contribution_after,
       profit_share, revenue_ranking_profit_share
from marts.definition_backtest
where backtest_date = (select max(backtest_date) from marts.definition_backtest)
"""
# Columns exported as a percentage (the mart holds shares, 0.25 for 25 %).
BACKTEST_PERCENT = (
    "retained_share",
    "revenue_ranking_retained_share",
    "revenue_growth",
    "revenue_ranking_revenue_growth",
    "profit_share",
    "revenue_ranking_profit_share",
)


def _format_change(value: float | None) -> str:
    """0.065 -> '+6.5 %'; '> +999 %' above that; an en dash for unknown."""
    return format_growth(value, 1)


def _change_words(value: float | None) -> str:
    """0.065 -> 'up 6.5 %', -0.03 -> 'down 3.0 %' (compared with the backtest date)."""
    if value is None or pd.isna(value):
        return "not comparable"
    if round(float(value) * 100, 1) == 0:
        return "unchanged"
    return f"{'up' if value > 0 else 'down'} {format_share(abs(value), 1)}"


def _backtest_summary(row: pd.Series, distance: str) -> str:
    """One definition's backtest in two sentences, beside revenue ranking's; `distance` is how far
    back the backtest date lies, in words ('a year')."""
    picked = int(row["accounts_picked"])
    then = f"{pd.Timestamp(row['backtest_date']):%d %B %Y}"
    return (
        f"**{definition_label(row['definition_name'])}** would have picked {picked:,} "
        f"accounts on {then}. Today {format_share(row['retained_share'])} of them still buy, their "
        f"revenue is {_change_words(row['revenue_growth'])} on {distance} before, and they bring "
        f"{format_share(row['profit_share'])} of today's profit. The {picked:,} largest customers "
        f"by revenue on that date: {format_share(row['revenue_ranking_retained_share'])} still "
        f"buy, revenue {_change_words(row['revenue_ranking_revenue_growth'])}, "
        f"{format_share(row['revenue_ranking_profit_share'])} of today's profit."
    )


def draw(focus: str | None, presets: dict[str, scoring.Definition]) -> None:
    """Would each definition have chosen well `backtest_months` ago? One row per definition, in the
    order of `presets`; `focus` is the definition summed up in a sentence above the table (balanced
    when it has no backtest)."""
    st.subheader("Would it have chosen well? (backtest)")
    months = int(run_settings()["backtest_months"])
    distance = months_text(months)
    frame = query(BACKTEST_SQL)
    if frame.empty:
        st.info(
            "The order history is too short for a backtest. A backtest picks the key accounts as "
            f"the customers stood {distance} before the reporting date, and that needs a full year "
            f"of orders before that date: {months_text(months + 12)} of history in all.",
            icon=":material/history:",
        )
        return
    order = {name: position for position, name in enumerate(presets)}
    frame = (
        frame.assign(_order=frame["definition_name"].map(lambda name: order.get(name, len(order))))
        .sort_values(["_order", "definition_name"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    first = frame.iloc[0]
    then = f"{pd.Timestamp(first['backtest_date']):%d %B %Y}"
    now = f"{pd.Timestamp(first['reporting_date']):%d %B %Y}"
    names = frame["definition_name"].tolist()
    focus = next((name for name in (focus, "balanced") if name in names), names[0])
    st.markdown(_backtest_summary(frame.iloc[names.index(focus)], distance))

    # Each cell: the definition's figure, then that of as many customers picked by revenue alone.
    def versus(column: str, fmt) -> pd.Series:
        return frame[column].map(fmt) + " vs " + frame[f"revenue_ranking_{column}"].map(fmt)

    table = pd.DataFrame(
        {
            "definition_name": frame["definition_name"],
            "definition": frame["definition_name"].map(definition_label),
            "accounts_picked": frame["accounts_picked"],
            "retained_share": versus("retained_share", format_share),
            "revenue_growth": versus("revenue_growth", _format_change),
            "contribution_after": versus("contribution_after", format_money),
            "profit_share": versus("profit_share", format_share),
        }
    )
    by_revenue = f"as many customers picked by revenue alone on {then}"
    # The table's cells are text ("27 % vs 4 %"); its export below holds the figures apart.
    show_table(
        table,
        {
            "definition_name": None,
            "definition": st.column_config.TextColumn("Definition"),
            "accounts_picked": st.column_config.NumberColumn(
                f"Accounts picked {distance} ago",
                format="%d",
                help=f"The key accounts the definition, as configured today, picks among the "
                f"customers as they stood on {then}.",
            ),
            "retained_share": st.column_config.TextColumn(
                "Still buying",
                help=f"Share of those accounts that bought from us in the twelve months to {now}; "
                f"after “vs”: the same for {by_revenue}.",
            ),
            "revenue_growth": st.column_config.TextColumn(
                "Revenue growth since",
                help=f"Their revenue in the twelve months to {now} against the twelve months to "
                f"{then}; after “vs”: the same for {by_revenue}.",
            ),
            "contribution_after": st.column_config.TextColumn(
                "Contribution since",
                help=f"What they earned us in the twelve months to {now}: gross margin minus cost "
                f"to serve (the gross margin where service costs are unknown); after “vs”: the "
                f"same for {by_revenue}.",
            ),
            "profit_share": st.column_config.TextColumn(
                "Share of today's profit",
                help="Their contribution as a share of what all active customers earn us today, "
                f"below 0 when they lose us money; after “vs”: the same for {by_revenue}.",
            ),
        },
        export=None,
        caption=f"Each definition as configured today, applied to the customers as they stood on {then} "
        f"(the backtest date), its picks followed to {now} (the reporting date). In each cell, "
        f"after “vs”: the same figure for {by_revenue}, the way most key-account lists are drawn. "
        "A definition that chooses well keeps its accounts and brings a larger share of today's "
        "profit.",
    )
    export = frame.drop(columns=["backtest_date", "reporting_date"]).assign(
        definition_name=table["definition"]
    )
    for column in BACKTEST_PERCENT:
        export[column] = export[column] * 100
    currency = currency_symbol().strip() or "amount"
    download_button(
        export,
        "definition-backtest.csv",
        columns={
            "definition_name": "Definition",
            "accounts_picked": f"Accounts picked {distance} ago",
            "retained_share": "Still buying (%)",
            "revenue_ranking_retained_share": "Still buying, by revenue (%)",
            "revenue_growth": "Revenue growth since (%)",
            "revenue_ranking_revenue_growth": "Revenue growth since, by revenue (%)",
            "contribution_after": f"Contribution since ({currency})",
            "revenue_ranking_contribution_after": f"Contribution since, by revenue ({currency})",
            "profit_share": "Share of today's profit (%)",
            "revenue_ranking_profit_share": "Share of today's profit, by revenue (%)",
        },
        digits={
            **dict.fromkeys(BACKTEST_PERCENT, 1),
            "contribution_after": 0,
            "revenue_ranking_contribution_after": 0,
        },
    )
