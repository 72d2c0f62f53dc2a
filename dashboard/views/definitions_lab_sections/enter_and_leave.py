"""The Definitions lab's tab per compared definition: the accounts it picks that the reference does
not (enter), and those the reference picks that it does not (leave)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import scoring
from dashboard.export import download_button
from dashboard.ui import format_money, known_sum, money_format
from dashboard.views.definitions_lab_sections.shared import option_label


def draw(
    name: str, reference: str, scored: dict[str, pd.DataFrame], reference_ids: set[str]
) -> None:
    """Who enters and who leaves under the definition `name` against `reference`; `scored` holds
    each compared definition's active customers, scored, and `reference_ids` the reference's key
    accounts."""
    move_config = {
        "customer_name": "Customer",
        "rank_here": st.column_config.NumberColumn("Rank", format="%d"),
        "score_here": st.column_config.NumberColumn("Score", format="%.1f"),
        "rank_reference": st.column_config.NumberColumn(
            f"Rank in {option_label(reference)}", format="%d"
        ),
        "score_reference": st.column_config.NumberColumn(
            f"Score in {option_label(reference)}", format="%.1f"
        ),
        "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
        "net_contribution_t12m": st.column_config.NumberColumn("Net contribution", format=money_format()),
        # Why a customer is not on the other list, when a gate keeps it off.
        "gate_reference": f"Kept out of {option_label(reference)} by",
        "gate_here": "Kept out here by",
    }
    reference_frame = scored[reference][
        ["customer_id", "score", "score_rank", "excluded_by_gate"]
    ].rename(
        columns={
            "score": "score_reference",
            "score_rank": "rank_reference",
            "excluded_by_gate": "gate_reference",
        }
    )
    here = scored[name].rename(
        columns={"score": "score_here", "score_rank": "rank_here", "excluded_by_gate": "gate_here"}
    )
    both = here.merge(reference_frame, on="customer_id")
    for gate in ("gate_here", "gate_reference"):
        both[gate] = both[gate].map(scoring.gate_label)
    in_here = both["is_key_account_computed"]
    in_reference = both["customer_id"].isin(reference_ids)
    ordered = [
        "customer_name",
        "rank_here",
        "score_here",
        "rank_reference",
        "score_reference",
        "revenue_t12m",
        "net_contribution_t12m",
    ]
    # An entering account may have been kept out of the reference by a gate, a leaving one here.
    entering = both[in_here & ~in_reference].sort_values("rank_here")[[*ordered, "gate_reference"]]
    leaving = both[~in_here & in_reference].sort_values("rank_reference")[[*ordered, "gate_here"]]
    enter_column, leave_column = st.columns(2)
    with enter_column:
        st.markdown(f"**Enter** · {len(entering):,} accounts")
        st.caption(
            f"Picked by {option_label(name)} but not by {option_label(reference)}: "
            f"{format_money(float(entering['revenue_t12m'].sum()))} revenue, "
            f"{format_money(known_sum(entering['net_contribution_t12m']))} net contribution."
        )
        st.dataframe(
            entering, hide_index=True, width="stretch", height=320, column_config=move_config
        )
        download_button(entering, f"enter-{name.lower()}-vs-{reference.lower()}.csv")
    with leave_column:
        st.markdown(f"**Leave** · {len(leaving):,} accounts")
        st.caption(
            f"Picked by {option_label(reference)} but not by {option_label(name)}: "
            f"{format_money(float(leaving['revenue_t12m'].sum()))} revenue, "
            f"{format_money(known_sum(leaving['net_contribution_t12m']))} net contribution."
        )
        st.dataframe(
            leaving, hide_index=True, width="stretch", height=320, column_config=move_config
        )
        download_button(leaving, f"leave-{name.lower()}-vs-{reference.lower()}.csv")
