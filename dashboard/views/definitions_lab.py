"""Definitions lab: how the key-account list changes when the definition changes."""

from __future__ import annotations

import streamlit as st

from dashboard import scoring
from dashboard.ui import input_gaps_notice, url_widget
from dashboard.views.definitions_lab_sections import (
    backtest,
    custom_definition,
    enter_and_leave,
    overlap,
    side_by_side,
    summary,
)
from dashboard.views.definitions_lab_sections.shared import CUSTOM, option_label
from dashboard.warehouse import query

LIST_COLUMNS = (
    "customer_id",
    "customer_name",
    "score",
    "score_rank",
    "excluded_by_gate",
    "is_key_account_computed",
    "revenue_t12m",
    "net_contribution_t12m",
)


st.title("Definitions lab")
input_gaps_notice()
st.caption(
    "Pick two or more definitions of a key account and see how the list changes. Scores use the "
    "warehouse's own formula, so a preset here shows exactly the published list (before manual "
    "overrides)."
)

presets = scoring.presets()
if not presets:
    st.warning("The warehouse holds no key-account definitions yet.")
    st.stop()

portfolio = query(
    """
    select reporting_date, active_customers,
           cast(revenue_t12m as double) as revenue_t12m,
           cast(net_contribution_t12m as double) as net_contribution_t12m
    from marts.portfolio_concentration
    """
)
if portfolio.empty or not portfolio["active_customers"].iloc[0]:
    st.warning("No customer has bought in the last twelve months: there is nothing to score yet.")
    st.stop()

options = [*presets, CUSTOM]
first = st.session_state.get("definition", "balanced")
first = first if first in presets else next(iter(presets))
second = "the_big_ones" if first != "the_big_ones" and "the_big_ones" in presets else None
# In the URL as `?compare=balanced&compare=the_big_ones` (`custom` for the custom weights, whose
# settings stay in the session).
chosen = url_widget(
    st.multiselect,
    "Definitions to compare (the first one is the reference)",
    options,
    key="lab_definitions",
    param="compare",
    what="key-account definition",
    default=[name for name in (first, second) if name],
    url_text=lambda name: "custom" if name == CUSTOM else name,
    format_func=option_label,
    help="Presets come from the scorecard definitions configuration; 'Custom weights' lets you set "
    "the eight weights, the selection rule and the gates yourself.",
)

if CUSTOM in chosen:
    custom = custom_definition.draw(presets)

if len(chosen) < 2:
    st.info("Choose at least two definitions to compare their key-account lists.")
    backtest.draw(chosen[0] if chosen else first, presets)
    st.stop()

definitions = {name: (custom if name == CUSTOM else presets[name]) for name in chosen}
if not all(definition.has_weight for definition in definitions.values()):
    backtest.draw(chosen[0], presets)
    st.stop()


# One narrow frame per definition: every active customer's score and rank, and whether it is picked.
scored = {
    name: scoring.what_if_scores(definition, columns=LIST_COLUMNS)
    for name, definition in definitions.items()
}
picked = {name: frame[frame["is_key_account_computed"]] for name, frame in scored.items()}
reference = chosen[0]
reference_ids = set(picked[reference]["customer_id"])

summary.draw(portfolio, chosen, definitions, picked, reference_ids)
backtest.draw(reference, presets)
overlap.draw(chosen, picked)
side_by_side.draw(chosen, definitions, scored, picked)

st.subheader(f"Who enters and who leaves, compared with {option_label(reference)}")
tabs = st.tabs([option_label(name) for name in chosen[1:]])
for tab, name in zip(tabs, chosen[1:]):
    with tab:
        enter_and_leave.draw(name, reference, scored, reference_ids)
