"""The Definitions lab's overlap: how many accounts each two compared definitions both pick."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.ui import INK, show_chart
from dashboard.views.definitions_lab_sections.shared import option_label


def draw(chosen: list[str], picked: dict[str, pd.DataFrame]) -> None:
    """`chosen` are the compared definitions in the reader's order; `picked` each one's key
    accounts."""
    st.subheader("Overlap")
    labels = [option_label(name) for name in chosen]
    id_sets = [set(picked[name]["customer_id"]) for name in chosen]
    overlap = [[len(a & b) for b in id_sets] for a in id_sets]
    heatmap = go.Figure(
        go.Heatmap(
            z=overlap,
            x=labels,
            y=labels,
            text=[[f"{value:,}" for value in row] for row in overlap],
            texttemplate="%{text}",
            textfont={"color": INK},
            colorscale=[[0, "#f4f7fb"], [1, "#9dbde3"]],
            showscale=False,
            hovertemplate="%{y} and %{x}: %{z:,} accounts in common<extra></extra>",
        )
    )
    heatmap.update_layout(
        height=60 + 45 * len(chosen), margin={"t": 10, "b": 10}, yaxis_autorange="reversed"
    )
    show_chart(heatmap)
    st.caption(
        "Accounts two definitions have in common; the diagonal is the length of each list. "
        "Low numbers off the diagonal mean the definitions disagree about who is key."
    )
