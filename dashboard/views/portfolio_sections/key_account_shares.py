"""The Portfolio page's key-account figures: how many key accounts the definition picks, and their
share of revenue and of profit (marts.portfolio_key_accounts, which computes them)."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import definition_label, format_money, format_share, key_account_count_note
from dashboard.warehouse import query

# One row per definition: the key accounts' count and amounts, the portfolio's totals beside them,
# and the shares (null where the whole is 0).
KEY_ACCOUNTS_SQL = """
select key_accounts, key_account_share_of_active_customers,
       cast(key_account_revenue_t12m as double) as key_account_revenue_t12m,
       cast(revenue_t12m as double) as revenue_t12m, key_account_revenue_share,
       cast(key_account_net_contribution_t12m as double) as key_account_net_contribution_t12m,
       cast(net_contribution_t12m as double) as net_contribution_t12m,
       key_account_net_contribution_share
from marts.portfolio_key_accounts
where definition_name = ?
"""


def draw(definition: str) -> None:
    """The key accounts under `definition` against the portfolio's active customers, revenue and
    net contribution."""
    st.markdown(f"**Key accounts** · {definition_label(definition)}")
    frame = query(KEY_ACCOUNTS_SQL, (definition,))
    if frame.empty:
        return
    figures = frame.iloc[0]
    row = st.columns(3)
    row[0].metric(
        "Key accounts",
        f"{int(figures['key_accounts']):,}",
        border=True,
        help=f"The accounts {definition_label(definition)} picks, after manual decisions: "
        f"{format_share(figures['key_account_share_of_active_customers'], 1)} of the active customers.",
    )
    row[1].metric(
        "Revenue share",
        format_share(figures["key_account_revenue_share"]),
        border=True,
        help=f"The key accounts' share of revenue: they bring {format_money(figures['key_account_revenue_t12m'])} "
        f"of {format_money(figures['revenue_t12m'])} in the last twelve months.",
    )
    row[2].metric(
        "Profit share",
        format_share(figures["key_account_net_contribution_share"]),
        border=True,
        help=f"The key accounts' share of net contribution (gross margin minus cost to serve): they bring "
        f"{format_money(figures['key_account_net_contribution_t12m'])} of "
        f"{format_money(figures['net_contribution_t12m'])}. Above 100 % when the other customers lose us "
        "money in total.",
    )
    note = key_account_count_note(definition)
    if note:
        st.caption(note)
