"""The Account page's Scorecard tab: the customer's score under the chosen definition, attribute
by attribute, and where the definition draws its line."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.ui import (
    ATTRIBUTES,
    PERSPECTIVES,
    Figure,
    definition_label,
    format_share,
    show_chart,
    show_table,
)
from dashboard.views.account_tabs.shared import MARGIN_COLOUR, REVENUE_COLOUR, missing
from dashboard.warehouse import query


def draw(customer_id: str, card: pd.Series | None, definition: scoring.Definition) -> None:
    """`card` is the customer's row of marts.key_account_scorecard under `definition`, None when
    it is not scored."""
    if card is None:
        st.info(
            "Not scored: only customers who bought in the last twelve months are on the scorecard."
        )
    else:
        cutoff = query(
            """
            select count(*) filter (where is_key_account_computed) as selected,
                   min(score) filter (where is_key_account_computed) as lowest_selected,
                   count(*) as scored
            from marts.key_account_scorecard
            where definition_name = ?
            """,
            (definition.name,),
        ).iloc[0]
        scaled_weights = query(
            f"""
            select {", ".join(f"{name}_weight" for name in scoring.NAMES)}
            from marts.key_account_definitions
            where definition_name = ?
            """,
            (definition.name,),
        ).iloc[0]
        parts = pd.DataFrame(
            {
                "attribute": [label for _, label, _ in ATTRIBUTES],
                "perspective": [PERSPECTIVES[perspective] for _, _, perspective in ATTRIBUTES],
                "value": [card[f"{name}_value"] for name in scoring.NAMES],
                "definition_weight": [scaled_weights[f"{name}_weight"] for name in scoring.NAMES],
                "weight": [card[f"{name}_weight"] for name in scoring.NAMES],
                "contribution": [card[f"{name}_contribution"] for name in scoring.NAMES],
            }
        )
        parts["note"] = [
            "not known: its weight is shared among the known attributes"
            if missing(value) and definition_weight > 0
            else ("not part of this definition" if definition_weight == 0 else "")
            for value, definition_weight in zip(parts["value"], parts["definition_weight"])
        ]
        definition_name = definition_label(definition.name)
        verdict = (
            f"Scores **{card['score']:.1f}** of 100 under {definition_name}, rank "
            f"**{int(card['score_rank']):,}** of {int(cutoff['scored']):,}. "
            if not missing(card["score"])
            else f"No score under {definition_name}: none of the attributes it weighs is known. "
        )
        if definition.selection_rule == "manager_capacity":
            verdict += (
                "This definition picks each account manager's best accounts up to their capacity."
            )
        elif not missing(cutoff["lowest_selected"]):
            verdict += (
                f"The definition picks {int(cutoff['selected']):,} accounts ({definition.rule_text()}); "
                f"the lowest of them scores {cutoff['lowest_selected']:.1f}."
            )
        st.markdown(verdict)
        bars = parts.iloc[::-1]
        figure = go.Figure()
        # One trace per perspective, so the legend names them; future and fit is hatched as well as green.
        for perspective, colour, hatching in (
            (PERSPECTIVES["current"], REVENUE_COLOUR, ""),
            (PERSPECTIVES["future_fit"], MARGIN_COLOUR, "/"),
        ):
            part = bars[bars["perspective"] == perspective]
            figure.add_trace(
                go.Bar(
                    x=part["contribution"],
                    y=part["attribute"],
                    orientation="h",
                    name=perspective + (" (hatched)" if hatching else ""),
                    marker={"color": colour, "pattern": {"shape": hatching, "bgcolor": colour, "fgcolor": "#ffffff", "solidity": 0.3}},
                    text=[f"{value:.1f}" for value in part["contribution"]],
                    textposition="outside",
                    cliponaxis=False,
                    customdata=[
                        ["unknown" if missing(value) else f"{value:.0f}", format_share(weight, 1)]
                        for value, weight in zip(part["value"], part["weight"])
                    ],
                    hovertemplate="%{y}: %{x:.1f} points (value %{customdata[0]} × weight "
                    "%{customdata[1]})<extra></extra>",
                )
            )
        figure.update_layout(
            height=340,
            margin={"t": 10, "b": 10, "r": 40},
            xaxis_title="Points of the score",
            yaxis={"categoryorder": "array", "categoryarray": list(bars["attribute"])},
            legend={"orientation": "h", "y": 1.1},
        )
        show_chart(figure)
        st.caption(
            "How each attribute adds to the score: its value (0–100: revenue, profit and headroom on a "
            "log scale, where ten times the money is the same number of points; the others as the share "
            "of active customers this one beats) times its weight. Solid blue: performance today; hatched "
            "green: future potential and fit."
        )
        show_table(
            parts,
            {
                "attribute": st.column_config.TextColumn("Attribute"),
                "perspective": st.column_config.TextColumn(
                    "Perspective", help="Today: how the account performs now. Future and fit: where it can go."
                ),
                "value": Figure(
                    "Value",
                    "number",
                    digits=1,
                    help="0–100 among active customers. A dash: unknown, its weight shared among the known attributes.",
                ),
                "definition_weight": Figure(
                    "Weight set", "share", digits=1, help="The weight the definition gives the attribute."
                ),
                "weight": Figure(
                    "Weight used",
                    "share",
                    digits=1,
                    help="The weight for this customer: the definition's, plus a share of the unknown attributes'.",
                ),
                "contribution": Figure("Points", "number", digits=1, help="Value × weight used."),
                "note": st.column_config.TextColumn("Note", width="large"),
            },
            export=f"scorecard-{customer_id}-{definition.name}.csv",
        )
