"""The Definitions lab's summary: what each compared list captures of revenue and net contribution,
and how far it differs from the reference."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.export import download_button
from dashboard.ui import currency_symbol, format_money, format_share, known_sum, money_format
from dashboard.views.definitions_lab_sections.shared import option_label, rule_and_gates


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
                "revenue_share": revenue / total_revenue * 100 if total_revenue else None,
                "contribution": contribution,
                "contribution_share": contribution / total_contribution * 100
                if contribution is not None and (total_contribution or 0) > 0
                else None,
                "net_margin": contribution / revenue * 100
                if contribution is not None and revenue > 0
                else None,
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
                    else f"{row['enter']:,} in, {row['leave']:,} out",
                    delta_color="off",
                    delta_arrow="off",
                )
                revenue.metric(
                    "Revenue captured",
                    format_money(row["revenue"]),
                    f"{format_share(row['revenue_share'] / 100)} of all"
                    if row["revenue_share"] is not None
                    else None,
                    delta_color="off",
                    delta_arrow="off",
                )
                contribution.metric(
                    "Net contribution",
                    format_money(row["contribution"]),
                    f"{format_share(row['contribution_share'] / 100)} of all"
                    if row["contribution_share"] is not None
                    else None,
                    delta_color="off",
                    delta_arrow="off",
                )

    figure = go.Figure(
        [
            go.Bar(
                name="Revenue", x=summary["definition"], y=summary["revenue"], marker_color="#4C78A8"
            ),
            go.Bar(
                name="Net contribution",
                x=summary["definition"],
                y=summary["contribution"],
                marker_color="#54A24B",
            ),
        ]
    )
    figure.update_layout(
        barmode="group",
        height=340,
        margin={"t": 30, "b": 10},
        yaxis_title=f"{currency_symbol().strip()}, last 12 months",
        yaxis_tickprefix=currency_symbol(),
        yaxis_tickformat="~s",
        legend={"orientation": "h", "y": 1.1},
    )
    st.plotly_chart(figure, width="stretch")
    st.caption(
        "Revenue and net contribution (gross margin minus cost to serve) of the accounts each "
        "definition picks: a list of big but unprofitable accounts shows high revenue, low contribution."
    )

    st.dataframe(
        summary,
        hide_index=True,
        width="stretch",
        column_config={
            "definition": "Definition",
            "accounts": st.column_config.NumberColumn("Accounts", format="%,d"),
            "revenue": st.column_config.NumberColumn("Revenue captured", format=money_format()),
            "revenue_share": st.column_config.NumberColumn("Share of revenue", format="%.1f %%"),
            "contribution": st.column_config.NumberColumn("Net contribution captured", format=money_format()),
            "contribution_share": st.column_config.NumberColumn(
                "Share of contribution", format="%.1f %%"
            ),
            "net_margin": st.column_config.NumberColumn("Net margin of the list", format="%.1f %%"),
            "in_common": st.column_config.NumberColumn(
                f"Also in {option_label(reference)}", format="%,d"
            ),
            "enter": st.column_config.NumberColumn("Enter", format="%,d"),
            "leave": st.column_config.NumberColumn("Leave", format="%,d"),
        },
    )
    st.caption(
        f"One row per definition. 'Enter' and 'Leave' count the accounts that join or drop off "
        f"compared with {option_label(reference)}."
    )
    download_button(summary, "definitions-comparison.csv")
