"""The Definitions lab's custom definition: the reader's own weights, selection rule and gates,
starting from a shipped definition."""

from __future__ import annotations

import streamlit as st

from dashboard import scoring
from dashboard.ui import ATTRIBUTES, TIERS, definition_label, pareto_tiers_text
from dashboard.views.definitions_lab_sections.shared import CUSTOM


def _custom_state(definition: scoring.Definition) -> dict:
    """The custom widgets' values that start from `definition` (widget key -> value)."""
    state = {
        f"custom_weight_{name}": min(5.0, round(float(weight or 0) * 2) / 2)
        for name, weight in zip(scoring.NAMES, definition.weights)
    }
    state.update(
        custom_rule=definition.selection_rule,
        custom_top_share=min(25, max(1, round((definition.top_share or 0.04) * 100))),
        custom_top_n=int(definition.top_n or 50),
        custom_min_score=round(float(60 if definition.min_score is None else definition.min_score)),
        custom_gate_tenure=int(definition.gate_min_tenure_months or 0),
        custom_gate_tiers=list(definition.revenue_tiers),
        custom_gate_profit=definition.gate_positive_contribution,
        custom_gate_no_mistakes=definition.gate_no_mistake_flags,
    )
    return state


def _start_from_preset(presets: dict[str, scoring.Definition]) -> None:
    """The reader picked another definition to start from: load its weights, rule and gates."""
    st.session_state.update(_custom_state(presets[st.session_state["custom_start"]]))


def draw(presets: dict[str, scoring.Definition]) -> scoring.Definition:
    """Draw the custom definition's settings, starting from one of `presets`, and return the
    definition they make."""
    with st.container(border=True):
        st.markdown("**Custom weights** · relative: 2 counts twice as much as 1, 0 leaves it out")
        start_name = st.selectbox(
            "Start from",
            list(presets),
            index=list(presets).index("balanced") if "balanced" in presets else 0,
            format_func=definition_label,
            key="custom_start",
            on_change=_start_from_preset,
            args=(presets,),
            help="Loads that definition's weights, selection rule and gates; change any of them "
            "below.",
        )
        start_definition = presets[start_name]
        # First time here (or back after leaving the custom definition): the start's values.
        for key, value in _custom_state(start_definition).items():
            st.session_state.setdefault(key, value)

        current, future = st.columns(2)
        current.caption("Performance today")
        future.caption("Future potential and fit")
        weights = []
        for name, label, perspective in ATTRIBUTES:
            column = current if perspective == "current" else future
            weights.append(column.slider(label, 0.0, 5.0, step=0.5, key=f"custom_weight_{name}"))
        rule = st.radio(
            "Which accounts to pick",
            list(scoring.SELECTION_RULES),
            format_func=scoring.SELECTION_RULES.get,
            horizontal=True,
            key="custom_rule",
        )
        top_share = top_n = min_score = None
        if rule == "top_share":
            top_share = (
                st.slider("Share of active customers, %", 1, 25, key="custom_top_share") / 100
            )
        elif rule == "top_n":
            top_n = int(st.number_input("Number of accounts", 1, 100_000, key="custom_top_n"))
        elif rule == "score_threshold":
            min_score = float(st.slider("Minimum score", 0, 100, key="custom_min_score"))

        st.markdown(
            f"**Who can be picked** · gates, starting from "
            f"{definition_label(start_name)}: {start_definition.gates_text()}"
        )
        st.caption(
            "A customer a gate keeps out is never picked; the list's length still counts every "
            "active customer."
        )
        tenure_column, tiers_column, profit_column, mistakes_column = st.columns(4)
        min_tenure = int(
            tenure_column.number_input(
                "Customer for at least, months",
                0,
                600,
                step=6,
                key="custom_gate_tenure",
                help="0 = no gate. A customer whose first order may predate the export passes: its "
                "tenure is at least what the export shows.",
            )
        )
        tiers = tiers_column.multiselect(
            "Revenue tiers",
            TIERS,
            key="custom_gate_tiers",
            placeholder="Any tier",
            help=f"Tier {pareto_tiers_text()}. Empty = no gate.",
        )
        positive = profit_column.checkbox(
            "Only customers that earn us money",
            key="custom_gate_profit",
            help="Contribution above 0 over the last twelve months (after cost to serve; gross "
            "margin where there are no service costs). A customer whose profit is unknown is not "
            "left out.",
        )
        no_mistakes = mistakes_column.checkbox(
            "No classic mistakes",
            key="custom_gate_no_mistakes",
            help="Leave out customers flagged big but unprofitable, big revenue one-off, or easy "
            "sell without growth (see Mistakes & oak trees).",
        )
        custom = scoring.Definition(
            name=CUSTOM,
            weights=tuple(weights),
            selection_rule=rule,
            top_share=top_share,
            top_n=top_n,
            min_score=min_score,
            description="Your own weights.",
            gate_min_tenure_months=min_tenure or None,
            gate_revenue_tiers="".join(tiers) or None,
            gate_positive_contribution=positive,
            gate_no_mistake_flags=no_mistakes,
        )
        if not custom.has_weight:
            st.warning(
                "Give at least one attribute a weight above 0 to score the custom definition."
            )
    return custom
