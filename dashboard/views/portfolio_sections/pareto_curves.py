"""The Portfolio page's Pareto curves: how few customers bring most of the revenue and profit,
with the key accounts marked on them."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from dashboard.ui import format_share, run_settings, share_ticks, show_chart
from dashboard.views.portfolio_sections.shared import (
    CONTRIBUTION_COLOUR,
    CURVE_POINTS,
    KEY_COLOUR,
    REVENUE_COLOUR,
)
from dashboard.warehouse import query


def draw(definition: str) -> None:
    """The curves of revenue and net contribution, with the key accounts under `definition`."""
    pareto = query(
        """
        with active as (select count(*) as n from marts.customer_metrics where is_active),
        key_accounts as (
            select customer_id from marts.key_account_scorecard where definition_name = ? and is_key_account
        ),
        curves as (
            select 'Revenue' as measure, m.customer_id, m.revenue_rank as rank,
                   m.revenue_cumulative_share as cumulative_share
            from marts.customer_metrics m where m.is_active
            union all
            select 'Net contribution', m.customer_id, m.contribution_rank, m.contribution_cumulative_share
            from marts.customer_metrics m where m.is_active and m.contribution_cumulative_share is not null
        )
        select c.measure, c.rank / a.n as customer_share, c.cumulative_share,
               k.customer_id is not null as is_key_account
        from curves c
        cross join active a
        left join key_accounts k on k.customer_id = c.customer_id
        where c.rank = 1 or c.rank = a.n or c.rank % greatest(1, a.n // ?) = 0 or k.customer_id is not null
        order by c.measure, c.rank
        """,
        (definition, CURVE_POINTS),
    )

    st.subheader("Pareto: revenue and profit")
    figure = go.Figure()
    # Revenue solid, net contribution dashed: the lines differ without their colours too.
    for measure, colour, dash in (
        ("Revenue", REVENUE_COLOUR, "solid"),
        ("Net contribution", CONTRIBUTION_COLOUR, "dash"),
    ):
        curve = pareto[pareto["measure"] == measure]
        if curve.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=[0.0, *curve["customer_share"]],
                y=[0.0, *curve["cumulative_share"]],
                mode="lines",
                name=f"{measure}" + (" (dashed)" if dash == "dash" else ""),
                line={"color": colour, "width": 2.5, "dash": dash},
                hovertemplate="Top %{x:.1%} of customers bring %{y:.1%} of " + measure.lower() + "<extra></extra>",
            )
        )
        keys = curve[curve["is_key_account"]]
        figure.add_trace(
            go.Scatter(
                x=keys["customer_share"],
                y=keys["cumulative_share"],
                mode="markers",
                name="Key accounts (diamonds)" if measure == "Revenue" else "Key accounts (profit)",
                legendgroup="key",
                showlegend=measure == "Revenue",
                marker={"color": KEY_COLOUR, "size": 7, "symbol": "diamond", "line": {"width": 0.5, "color": "#5a3208"}},
                hovertemplate="Key account at the top %{x:.1%} by " + measure.lower() + "<extra></extra>",
            )
        )
    settings = run_settings()
    for cut, label in (
        (settings["pareto_a_cutoff"], f"A | B: {format_share(settings['pareto_a_cutoff'])}"),
        (settings["pareto_b_cutoff"], f"B | C: {format_share(settings['pareto_b_cutoff'])}"),
    ):
        figure.add_hline(y=cut, line={"dash": "dot", "color": "#888", "width": 1}, annotation_text=label,
                         annotation_position="bottom right")
    figure.update_layout(
        height=400,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": "Share of active customers, largest first", "range": [0, 1], **share_ticks()},
        yaxis={"title": "Cumulative share", "range": [0, 1.02], **share_ticks()},
        legend={"orientation": "h", "yanchor": "bottom", "y": 0.02, "xanchor": "right", "x": 0.98},
        hovermode="closest",
    )
    show_chart(figure, key="pareto_chart")
    st.caption(
        "Customers ranked from largest to smallest, cumulated: the steeper the start, the more a few "
        "customers carry the business. Revenue is the solid line, net contribution the dashed one; diamonds "
        "mark the key accounts and the dotted lines the A/B/C tier cuts."
    )
