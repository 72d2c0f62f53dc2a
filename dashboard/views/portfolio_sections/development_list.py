"""The Portfolio page's development list: the tomorrow's oaks the definition does not pick, each a
link to its Account page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import Figure, account_link, definition_label, manager_labels, show_table
from dashboard.warehouse import query


def draw(definition: str) -> None:
    development = query(
        """
        select s.score_rank, s.customer_id, s.customer_name, s.account_manager_id,
               m.revenue_t12m, m.revenue_growth, m.share_of_wallet, m.tomorrows_oak_reason
        from marts.key_account_scorecard s
        join marts.customer_metrics m on m.customer_id = s.customer_id
        where s.definition_name = ? and s.is_development_account
        order by s.score_rank
        """,
        (definition,),
    )

    st.subheader("The development list: tomorrow's oaks")
    st.markdown(
        f"Tomorrow's oaks that {definition_label(definition)} does not pick: small today, but growing "
        "fast and steadily, with most of their wallet still to win and a good strategic fit. Not key "
        "accounts yet; accounts to grow into them."
    )
    if development.empty:
        st.success(
            f"No tomorrow's oak is left off the key accounts: {definition_label(definition)} picks "
            "every customer flagged as one, or none is flagged."
        )
    else:
        growing = pd.DataFrame(
            {
                "score_rank": development["score_rank"],
                "customer_name": development["customer_name"],
                "revenue_t12m": development["revenue_t12m"].astype(float),
                "revenue_growth": development["revenue_growth"],
                "share_of_wallet": development["share_of_wallet"],
                "reason": development["tomorrows_oak_reason"],
                "manager": manager_labels(development["account_manager_id"]),
                "customer_id": development["customer_id"],
            }
        )
        picked_development = show_table(
            growing,
            {
                "score_rank": st.column_config.NumberColumn("Rank", format="%d", width="small"),
                "customer_name": st.column_config.TextColumn("Customer", width="medium"),
                "revenue_t12m": Figure(
                    "Revenue, 12 months", help="What the customer bought in the last twelve months."
                ),
                "revenue_growth": Figure(
                    "Growth a year",
                    "growth",
                    help="Revenue growth a year: year on year, else the three-year trend, else (a one-year export) "
                    "the trend through the year's months against the typical customer's. '> +999 %': the "
                    "customer bought next to nothing the year before.",
                ),
                "share_of_wallet": Figure(
                    "Share of wallet",
                    "share",
                    help="Our revenue as a share of what the customer spends on what we sell: the rest is still to win.",
                ),
                "reason": st.column_config.TextColumn("Why it is a tomorrow's oak", width="large"),
                "manager": st.column_config.TextColumn("Account manager"),
                "customer_id": st.column_config.TextColumn("Customer id"),
            },
            export=f"development-list-{definition}.csv",
            height=min(420, 38 + 35 * len(growing)),
            key="development_table",
            on_select="rerun",
            selection_mode="single-row",
            caption=f"{len(growing):,} accounts to develop, ranked by their score under {definition_label(definition)}. "
            "Select a row to open the account.",
        )
        development_rows = picked_development.selection.rows if picked_development is not None else []
        if development_rows:
            chosen_oak = growing.iloc[development_rows[0]]
            account_link(chosen_oak["customer_id"], chosen_oak["customer_name"])
