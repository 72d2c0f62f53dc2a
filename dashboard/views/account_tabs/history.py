"""The Account page's Status & overrides tab: when the customer entered or left the key-account
list or changed tier, and the manual decisions taken on it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.export import download_button
from dashboard.text import markdown_text
from dashboard.ui import definition_label, pareto_tiers_text
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
            history[column] = history[column].fillna("–")
        st.dataframe(
            history,
            hide_index=True,
            width="stretch",
            column_config={
                "valid_from": st.column_config.DatetimeColumn("Recorded", format="D MMM YYYY"),
                "reporting_date": st.column_config.DateColumn("Figures as of", format="D MMM YYYY"),
                "change": "Change",
                "is_key_account": st.column_config.CheckboxColumn("Key account"),
                "revenue_tier": "Revenue tier",
                "contribution_tier": "Contribution tier",
                "previous_revenue_tier": "Revenue tier before",
                "previous_contribution_tier": "Contribution tier before",
            },
        )
        st.caption(
            "Each time a run found the account entering or leaving the key-account list, or moving "
            f"between Pareto tiers ({pareto_tiers_text()})."
        )
        download_button(history, f"status-history-{customer_id}-{definition}.csv")

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
        st.dataframe(
            decisions,
            hide_index=True,
            width="stretch",
            column_config={
                "forced_status": "Decision",
                "reason": "Reason",
                "decided_by": "Decided by",
                "decided_on": st.column_config.DateColumn("Decided on", format="D MMM YYYY"),
                "expires_on": st.column_config.DateColumn("Until", format="D MMM YYYY"),
                "is_in_force": st.column_config.CheckboxColumn("In force"),
            },
        )
        st.caption("Decisions by sales leadership that override the computed key-account status.")
        download_button(decisions, f"overrides-{customer_id}.csv")
