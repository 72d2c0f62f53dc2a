"""The Definitions lab's tab per compared definition: the accounts it picks that the reference does
not (enter), and those the reference picks that it does not (leave)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import scoring
from dashboard.ui import Figure, format_money, known_sum, show_table
from dashboard.views.definitions_lab_sections.shared import option_label


def draw(
    name: str, reference: str, scored: dict[str, pd.DataFrame], reference_ids: set[str]
) -> None:
    """Who enters and who leaves under the definition `name` against `reference`; `scored` holds
    each compared definition's active customers, scored, and `reference_ids` the reference's key
    accounts."""
    reference_name = option_label(reference)
    move_config = {
        "customer_name": st.column_config.TextColumn("Customer"),
        "rank_here": st.column_config.NumberColumn(
            "Rank", format="%d", help=f"Its place by score under {option_label(name)}."
        ),
        "score_here": Figure("Score", "number", digits=1, help=f"0–100 under {option_label(name)}."),
        "rank_reference": st.column_config.NumberColumn(
            "Ref. rank", format="%d", help=f"Its place by score under {reference_name}, the reference."
        ),
        "score_reference": Figure(
            "Ref. score", "number", digits=1, help=f"Its score under {reference_name}, the reference."
        ),
        "revenue_t12m": Figure("Revenue", help="Last twelve months, after discounts and returns."),
        "net_contribution_t12m": Figure(
            "Profit", help="Net contribution, last twelve months: gross margin minus cost to serve."
        ),
    }
    # Why a customer is not on the other list, when a gate keeps it off.
    kept_out = {
        "gate_reference": st.column_config.TextColumn(
            "Kept out of ref. by", help=f"The gate that keeps it off {reference_name}'s list, if any."
        ),
        "gate_here": st.column_config.TextColumn(
            "Kept out by", help=f"The gate that keeps it off {option_label(name)}'s list, if any."
        ),
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
        show_table(
            entering,
            {**move_config, "gate_reference": kept_out["gate_reference"]},
            export=f"enter-{name.lower()}-vs-{reference.lower()}.csv",
            height=320,
        )
    with leave_column:
        st.markdown(f"**Leave** · {len(leaving):,} accounts")
        st.caption(
            f"Picked by {option_label(reference)} but not by {option_label(name)}: "
            f"{format_money(float(leaving['revenue_t12m'].sum()))} revenue, "
            f"{format_money(known_sum(leaving['net_contribution_t12m']))} net contribution."
        )
        show_table(
            leaving,
            {**move_config, "gate_here": kept_out["gate_here"]},
            export=f"leave-{name.lower()}-vs-{reference.lower()}.csv",
            height=320,
        )
