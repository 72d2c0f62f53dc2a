"""The Portfolio page's key-account list: the accounts the definition picks, ranked by score, each
a link to its Account page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import (
    Figure,
    account_link,
    definition_label,
    flag_labels,
    manager_labels,
    pareto_tiers_text,
    show_table,
)
from dashboard.warehouse import query


def draw(definition: str) -> None:
    keys = query(
        """
        select s.score_rank, s.customer_id, s.customer_name, s.account_manager_id, m.region, m.industry,
               s.score, m.revenue_t12m, m.net_contribution_t12m, m.net_margin_pct_t12m,
               s.revenue_tier, s.contribution_tier,
               s.is_big_but_unprofitable, s.is_big_revenue_one_off, s.is_easy_sell_no_growth, s.is_tomorrows_oak,
               s.is_key_account_computed, s.override_status, s.override_reason
        from marts.key_account_scorecard s
        join marts.customer_metrics m on m.customer_id = s.customer_id
        where s.definition_name = ? and s.is_key_account
        order by s.score_rank
        """,
        (definition,),
    )

    st.subheader(f"The key accounts under {definition_label(definition)}")
    shown = pd.DataFrame(
        {
            "score_rank": keys["score_rank"],
            "customer_name": keys["customer_name"],
            "score": keys["score"],
            "revenue_t12m": keys["revenue_t12m"].astype(float),
            "net_contribution_t12m": keys["net_contribution_t12m"].astype(float),
            "net_margin_pct_t12m": keys["net_margin_pct_t12m"],
            "revenue_tier": keys["revenue_tier"],
            "contribution_tier": keys["contribution_tier"],
            "flags": flag_labels(keys),
            "manager": manager_labels(keys["account_manager_id"]),
            "region": keys["region"],
            "industry": keys["industry"],
            "status": keys["override_status"].map(
                {"key": "Key by decision", "not_key": "Not key by decision"}
            ).fillna("Selected by score"),
            "customer_id": keys["customer_id"],
        }
    )
    selection = show_table(
        shown,
        {
            "score_rank": st.column_config.NumberColumn("Rank", format="%d", width="small"),
            "customer_name": st.column_config.TextColumn("Customer", width="large"),
            "score": st.column_config.ProgressColumn(
                "Score",
                min_value=0,
                max_value=100,
                format="%.1f",
                help=f"0–100: {definition_label(definition)}'s weighted mix of eight attributes (see Scorecard).",
            ),
            "revenue_t12m": Figure(
                "Revenue, 12 months", help="What the customer bought in the last twelve months, after discounts and returns."
            ),
            "net_contribution_t12m": Figure(
                "Net contribution",
                help="What the customer earned us in the last twelve months: gross margin minus cost to serve.",
            ),
            "net_margin_pct_t12m": Figure(
                "Net margin", "share", digits=1, help="Net contribution as a share of revenue."
            ),
            "revenue_tier": st.column_config.TextColumn(
                "Revenue tier", help=f"Pareto tier on revenue: {pareto_tiers_text()}."
            ),
            "contribution_tier": st.column_config.TextColumn(
                "Profit tier", help="Pareto tier on net contribution, cut like the revenue tier."
            ),
            "flags": st.column_config.TextColumn(
                "Flags", help="Classic mistakes and tomorrow's oaks: see Mistakes & oak trees."
            ),
            "manager": st.column_config.TextColumn("Account manager"),
            "region": st.column_config.TextColumn("Region"),
            "industry": st.column_config.TextColumn("Industry"),
            "status": st.column_config.TextColumn(
                "Status", help="Selected by its score, or made key (or not) by a manual decision."
            ),
            "customer_id": st.column_config.TextColumn("Customer id"),
        },
        export=f"key-accounts-{definition}.csv",
        height=420,
        key="key_accounts_table",
        on_select="rerun",
        selection_mode="single-row",
        caption=f"{len(shown):,} key accounts ranked by their score under {definition_label(definition)}; "
        "“by decision” marks a manual override. Select a row to open the account.",
    )
    chosen_rows = selection.selection.rows if selection is not None else []
    if chosen_rows:
        picked = shown.iloc[chosen_rows[0]]
        account_link(picked["customer_id"], picked["customer_name"])
