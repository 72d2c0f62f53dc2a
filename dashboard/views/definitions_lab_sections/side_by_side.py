"""The Definitions lab's lists side by side: the key accounts each compared definition picks."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import scoring
from dashboard.ui import Figure, show_table
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
        "customer_name": st.column_config.TextColumn("Customer"),
        "score": Figure("Score", "number", digits=1, help="0–100 under this definition."),
        "revenue_t12m": Figure("Revenue", help="Last twelve months, after discounts and returns."),
        "net_contribution_t12m": Figure(
            "Profit", help="Net contribution, last twelve months: gross margin minus cost to serve."
        ),
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
                show_table(frame, list_config, export=f"key-accounts-{name.lower()}.csv", height=380)
