"""The Definitions lab's summary: what each compared list captures of revenue and net contribution,
and how far it differs from the reference."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.ui import (
    Figure,
    currency_symbol,
    format_money,
    format_share,
    key_account_counts,
    known_sum,
    show_chart,
    show_table,
)
from dashboard.views.definitions_lab_sections.shared import CUSTOM, option_label, rule_and_gates


def draw(
    portfolio: pd.DataFrame,
    chosen: list[str],
    definitions: dict[str, scoring.Definition],
    picked: dict[str, pd.DataFrame],
    reference_ids: set[str],
) -> None:
    """`portfolio` is marts.portfolio_concentration; `chosen` the compared definitions in the
    reader's order, the first the reference; `picked` each one's key accounts; `reference_ids`
    the reference's."""
    reference = chosen[0]
    total_revenue = float(portfolio["revenue_t12m"].iloc[0] or 0.0)
    total_contribution = known_sum(portfolio["net_contribution_t12m"])
    reporting_date = portfolio["reporting_date"].iloc[0]
    rows = []
    for name in chosen:
        frame = picked[name]
        ids = set(frame["customer_id"])
        revenue = float(frame["revenue_t12m"].sum())
        contribution = known_sum(frame["net_contribution_t12m"])
        rows.append(
            {
                "definition": option_label(name),
                "accounts": len(frame),
                "revenue": revenue,
                "revenue_share": revenue / total_revenue if total_revenue else None,
                "contribution": contribution,
                "contribution_share": contribution / total_contribution
                if contribution is not None and (total_contribution or 0) > 0
                else None,
                "net_margin": contribution / revenue if contribution is not None and revenue > 0 else None,
                "in_common": len(ids & reference_ids),
                "enter": len(ids - reference_ids),
                "leave": len(reference_ids - ids),
            }
        )
    summary = pd.DataFrame(rows)

    st.subheader("What each list captures")
    st.caption(
        f"As of {reporting_date:%d %B %Y}, trailing twelve months: {format_money(total_revenue)} revenue "
        f"and {format_money(total_contribution)} net contribution from "
        f"{int(portfolio['active_customers'].iloc[0]):,} active customers."
    )
    cards_per_row = 2 if len(chosen) <= 4 else 3
    for start in range(0, len(rows), cards_per_row):
        for column, name, row in zip(
            st.columns(cards_per_row),
            chosen[start : start + cards_per_row],
            rows[start : start + cards_per_row],
        ):
            with column.container(border=True):
                st.markdown(f"**{row['definition']}** · {rule_and_gates(definitions[name])}")
                accounts, revenue, contribution = st.columns(3)
                accounts.metric(
                    "Accounts",
                    f"{row['accounts']:,}",
                    "the reference"
                    if name == reference
                    else f"{row['enter']:,} enter, {row['leave']:,} leave",
                    delta_color="off",
                    delta_arrow="off",
                    help="Key accounts the definition picks on its score alone; below it, how many "
                    "join and drop off against the reference.",
                )
                revenue.metric(
                    "Revenue captured",
                    format_money(row["revenue"]),
                    f"{format_share(row['revenue_share'])} of all"
                    if row["revenue_share"] is not None
                    else None,
                    delta_color="off",
                    delta_arrow="off",
                    help="The listed accounts' revenue in the last twelve months, and its share of all.",
                )
                contribution.metric(
                    "Net contribution",
                    format_money(row["contribution"]),
                    f"{format_share(row['contribution_share'])} of all"
                    if row["contribution_share"] is not None
                    else None,
                    delta_color="off",
                    delta_arrow="off",
                    help="What the listed accounts earned us in the last twelve months (gross margin "
                    "minus cost to serve), and its share of all.",
                )

    figure = go.Figure(
        [
            go.Bar(
                name="Revenue",
                x=summary["definition"],
                y=summary["revenue"],
                marker_color="#4C78A8",
                text=[format_money(value) for value in summary["revenue"]],
                textposition="outside",
                cliponaxis=False,
            ),
            go.Bar(
                name="Net contribution (hatched)",
                x=summary["definition"],
                y=summary["contribution"],
                marker={"color": "#54A24B", "pattern": {"shape": "/", "bgcolor": "#54A24B", "fgcolor": "#ffffff", "solidity": 0.3}},
                text=[format_money(value) for value in summary["contribution"]],
                textposition="outside",
                cliponaxis=False,
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        height=340,
        margin={"t": 40, "b": 10},
        yaxis_title=f"{currency_symbol().strip()}, last 12 months",
        yaxis_tickprefix=currency_symbol(),
        yaxis_tickformat="~s",
        legend={"orientation": "h", "y": 1.14},
    )
    show_chart(figure)
    st.caption(
        "Revenue (solid) and net contribution (hatched: gross margin minus cost to serve) of the accounts "
        "each definition picks, each bar with its amount: a list of big but unprofitable accounts shows "
        "high revenue, low contribution."
    )

    show_table(
        summary,
        {
            "definition": st.column_config.TextColumn("Definition"),
            "accounts": Figure("Accounts", "count", help="Key accounts the definition picks on its score alone."),
            "revenue": Figure("Revenue", help="The listed accounts' revenue, last twelve months."),
            "revenue_share": Figure(
                "Revenue share", "share", digits=1, help="Their share of all active customers' revenue."
            ),
            "contribution": Figure(
                "Profit", help="Their net contribution, last twelve months: gross margin minus cost to serve."
            ),
            "contribution_share": Figure(
                "Profit share",
                "share",
                digits=1,
                help="Their share of all active customers' net contribution; a dash when the whole is not above 0.",
            ),
            "net_margin": Figure("Net margin", "share", digits=1, help="The list's net contribution over its revenue."),
            "in_common": Figure(
                "In common", "count", help=f"Accounts also on {option_label(reference)}'s list."
            ),
            "enter": Figure("Enter", "count", help=f"Accounts on this list but not on {option_label(reference)}'s."),
            "leave": Figure("Leave", "count", help=f"Accounts on {option_label(reference)}'s list but not on this one."),
        },
        export="definitions-comparison.csv",
        caption=f"One row per definition. 'Enter' and 'Leave' count the accounts that join or drop off "
        f"compared with {option_label(reference)}. The lists here are picked by the score alone, before "
        "manual decisions" + _decisions_note(chosen) + ".",
    )


def _decisions_note(chosen: list[str]) -> str:
    """Why another page counts a compared preset's key accounts differently: ', so the other pages
    count 37 under Balanced (1 more key by decision)'; '' when no decision changes a list."""
    notes = []
    for name in chosen:
        if name == CUSTOM:
            continue
        counts = key_account_counts(name)
        added, removed = int(counts["added"]), int(counts["removed"])
        if added or removed:
            changes = " and ".join(
                part
                for part in (
                    f"{added:,} more key by decision" if added else "",
                    f"{removed:,} taken off by decision" if removed else "",
                )
                if part
            )
            notes.append(f"{int(counts['final']):,} under {option_label(name)} ({changes})")
    return f", so the other pages count {'; '.join(notes)}" if notes else ""
