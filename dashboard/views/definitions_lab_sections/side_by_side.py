"""The Definitions lab's lists side by side: the key accounts each compared definition picks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import scoring
from dashboard.export import download_button
from dashboard.ui import money_format
from dashboard.views.definitions_lab_sections.shared import option_label, rule_and_gates


def draw(
    chosen: list[str],
    definitions: dict[str, scoring.Definition],
    scored: dict[str, pd.DataFrame],
    picked: dict[str, pd.DataFrame],
) -> None:
    """`chosen` are the compared definitions in the reader's order; `scored` each one's active
    customers, scored; `picked` its key accounts."""
    st.subheader("The lists side by side")
    list_config = {
        "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
        "customer_name": "Customer",
        "score": st.column_config.NumberColumn("Score", format="%.1f"),
        "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
        "net_contribution_t12m": st.column_config.NumberColumn("Net contribution", format=money_format()),
    }
    per_row = min(len(chosen), 3)
    for start in range(0, len(chosen), per_row):
        columns = st.columns(per_row)
        for column, name in zip(columns, chosen[start : start + per_row]):
            frame = picked[name][
                ["score_rank", "customer_name", "score", "revenue_t12m", "net_contribution_t12m"]
            ]
            with column:
                st.markdown(f"**{option_label(name)}**")
                gated = int(scored[name]["excluded_by_gate"].notna().sum())
                st.caption(
                    f"{len(frame):,} accounts · {rule_and_gates(definitions[name])}"
                    + (f" · {gated:,} customers left out by a gate" if gated else "")
                )
                st.dataframe(
                    frame, hide_index=True, width="stretch", height=380, column_config=list_config
                )
                download_button(frame, f"key-accounts-{name.lower()}.csv")
