"""The Portfolio page's whale curve: what the loss-making customers give away of what the others
earn."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.ui import format_share, share_ticks, show_chart
from dashboard.views.portfolio_sections.shared import CONTRIBUTION_COLOUR, CURVE_POINTS
from dashboard.warehouse import query


def draw(figures: pd.Series) -> None:
    """`figures` are the portfolio's headline figures (marts.portfolio_concentration)."""
    whale = query(
        """
        with curve as (
            select contribution_rank, customer_share, cumulative_contribution_share, customer_name,
                   max(cumulative_contribution_share) over () as peak,
                   count(*) over () as n
            from marts.whale_curve
        )
        select contribution_rank, customer_share, cumulative_contribution_share, customer_name,
               cumulative_contribution_share = peak as is_peak
        from curve
        where cumulative_contribution_share is not null
          and (contribution_rank = 1 or contribution_rank = n or cumulative_contribution_share = peak
               or contribution_rank % greatest(1, n // ?) = 0)
        order by contribution_rank
        """,
        (CURVE_POINTS,),
    )

    st.subheader("Whale curve: what loss-makers cost")
    if whale.empty:
        st.info(
            "No whale curve: net contribution is unknown for every customer (see the notice above)."
            if pd.isna(figures["net_contribution_t12m"])
            else "No whale curve: the active customers make no profit in total."
        )
    else:
        peak = whale[whale["is_peak"]].iloc[0]
        figure = go.Figure(
            go.Scatter(
                x=[0.0, *whale["customer_share"]],
                y=[0.0, *whale["cumulative_contribution_share"]],
                mode="lines",
                fill="tozeroy",
                line={"color": CONTRIBUTION_COLOUR, "width": 2.5},
                fillcolor="rgba(46,139,87,0.12)",
                hovertemplate="The %{x:.1%} most profitable customers earn %{y:.1%} of the net contribution<extra></extra>",
                name="Cumulative net contribution",
            )
        )
        figure.add_hline(y=1.0, line={"dash": "dot", "color": "#888", "width": 1},
                         annotation_text="100 % = what we earn in total", annotation_position="bottom right")
        figure.add_annotation(
            x=float(peak["customer_share"]),
            y=float(peak["cumulative_contribution_share"]),
            text=(
                f"Peak {format_share(peak['cumulative_contribution_share'])} after "
                f"{format_share(peak['customer_share'])} of customers"
            ),
            showarrow=True,
            arrowhead=2,
            ax=-110,
            ay=-45,
        )
        top = max(1.05, float(whale["cumulative_contribution_share"].max())) * 1.12
        figure.update_layout(
            height=400,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"title": "Share of active customers, most profitable first", "range": [0, 1], **share_ticks()},
            yaxis={"title": "Cumulative net contribution", "range": [0, top], **share_ticks(top)},
            showlegend=False,
        )
        show_chart(figure, key="whale_chart")
        destroyed = float(peak["cumulative_contribution_share"]) - 1.0
        st.caption(
            "Cumulative net contribution, most profitable customers first. The curve rises above 100 % and "
            f"falls back as loss-making customers are added: they give away {format_share(destroyed)} of "
            "what we earn in total."
        )
