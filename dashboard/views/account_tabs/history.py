"""The Account page's Status & overrides tab: when the customer entered or left the key-account
list or changed tier, and the manual decisions taken on it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.text import markdown_text
from dashboard.ui import UNKNOWN, definition_label, pareto_tiers_text, show_table
from dashboard.views.account_tabs.shared import missing
from dashboard.warehouse import query

CHANGES = {
    "first_seen": "First recorded",
    "entered": "Entered the list",
    "left": "Left the list",
    "tier_change": "Tier change",
}
STATUS = {"key": "Key account", "not_key": "Not a key account"}


def draw(customer_id: str, card: pd.Series | None, definition: str) -> None:
    """`card` is the customer's row of marts.key_account_scorecard under `definition`, None when
    it is not scored."""
    definition_name = definition_label(definition)
    history = query(
        """
        select valid_from, reporting_date, change, is_key_account, revenue_tier, contribution_tier,
               previous_revenue_tier, previous_contribution_tier
        from marts.key_account_status_history
        where customer_id = ? and definition_name = ?
        order by valid_from desc
        """,
        (customer_id, definition),
    )
    decisions = query(
        """
        select forced_status, reason, decided_by, decided_on, expires_on, is_in_force
        from marts.account_overrides
        where customer_id = ?
        order by decided_on desc
        """,
        (customer_id,),
    )
    st.markdown(f"**Key-account status and tiers under {definition_name}**")
    if history.empty:
        st.info("No recorded history for this customer under this definition yet.")
    else:
        history["change"] = history["change"].map(CHANGES).fillna(history["change"])
        for column in (
            "revenue_tier",
            "contribution_tier",
            "previous_revenue_tier",
            "previous_contribution_tier",
        ):
            history[column] = history[column].fillna(UNKNOWN)
        show_table(
            history,
            {
                "valid_from": st.column_config.DatetimeColumn("Recorded", format="D MMM YYYY"),
                "reporting_date": st.column_config.DateColumn("Figures as of", format="D MMM YYYY"),
                "change": st.column_config.TextColumn("Change"),
                "is_key_account": st.column_config.CheckboxColumn("Key account"),
                "revenue_tier": st.column_config.TextColumn("Revenue tier", help=f"Pareto tier on revenue: {pareto_tiers_text()}."),
                "contribution_tier": st.column_config.TextColumn(
                    "Profit tier", help="Pareto tier on net contribution, cut like the revenue tier."
                ),
                "previous_revenue_tier": st.column_config.TextColumn("Revenue tier before"),
                "previous_contribution_tier": st.column_config.TextColumn("Profit tier before"),
            },
            export=f"status-history-{customer_id}-{definition}.csv",
            caption="Each time a run found the account entering or leaving the key-account list, or moving "
            f"between Pareto tiers ({pareto_tiers_text()}).",
        )

    st.markdown("**Manual decisions**")
    if card is not None and not missing(card["override_status"]):
        expires = card["override_expires_on"]
        st.warning(
            f"In force: {STATUS.get(card['override_status'], card['override_status'])} — "
            f"{markdown_text(card['override_reason'])}"
            + ("" if missing(expires) else f" (until {expires:%d %B %Y})")
            + ". The computed status would be: "
            + ("key account." if card["is_key_account_computed"] else "not a key account.")
        )
    if decisions.empty:
        st.caption(
            "No manual decision was ever taken on this account: its status follows its score."
        )
    else:
        decisions["forced_status"] = (
            decisions["forced_status"].map(STATUS).fillna(decisions["forced_status"])
        )
        decisions["decided_by"] = decisions["decided_by"].fillna(UNKNOWN)
        decisions["reason"] = decisions["reason"].fillna("no reason given")
        show_table(
            decisions,
            {
                "forced_status": st.column_config.TextColumn("Decision"),
                "reason": st.column_config.TextColumn("Reason"),
                "decided_by": st.column_config.TextColumn("Decided by"),
                "decided_on": st.column_config.DateColumn("Decided on", format="D MMM YYYY"),
                "expires_on": st.column_config.DateColumn(
                    "Until", format="D MMM YYYY", help="Empty: the decision stands until taken back."
                ),
                "is_in_force": st.column_config.CheckboxColumn("In force"),
            },
            export=f"overrides-{customer_id}.csv",
            caption="Decisions by sales leadership that override the computed key-account status.",
        )
