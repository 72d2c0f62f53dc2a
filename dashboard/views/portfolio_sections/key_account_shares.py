"""The Portfolio page's key-account figures: how many key accounts the definition picks, and their
share of revenue and of profit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import definition_label, format_money, format_share


def _share(part, whole) -> float | None:
    part, whole = float(part or 0), float(whole or 0)
    return part / whole if whole else None


def draw(
    definition: str, figures: pd.Series, revenue: float, contribution: float, active: int
) -> None:
    """`figures` are the portfolio's headline figures with the key accounts' under `definition`;
    `revenue`, `contribution` and `active` the portfolio's totals."""
    key_accounts = int(figures["key_accounts"] or 0)
    st.markdown(f"**Key accounts** · {definition_label(definition)}")
    row = st.columns(3)
    row[0].metric(
        "Key accounts",
        f"{key_accounts:,}",
        border=True,
        help=f"{format_share(_share(key_accounts, active), 1)} of the active customers.",
    )
    row[1].metric(
        "Share of revenue",
        format_share(_share(figures["key_revenue"], revenue)),
        border=True,
        help=f"The key accounts bring {format_money(figures['key_revenue'])} of {format_money(revenue)} revenue.",
    )
    row[2].metric(
        "Share of profit",
        format_share(_share(figures["key_contribution"], contribution)),
        border=True,
        help=f"The key accounts bring {format_money(figures['key_contribution'])} of {format_money(contribution)} "
        "net contribution; above 100 % when the other customers lose money in total.",
    )
