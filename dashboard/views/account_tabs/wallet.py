"""The Account page's Share of wallet tab: what the customer spends a year in our categories, what
it buys from us, and our share of it."""

from __future__ import annotations

import streamlit as st
from plotly.subplots import make_subplots

from dashboard.ui import WALLET_SOURCES, Figure, currency_symbol, show_chart, show_table
from dashboard.views.account_tabs.shared import ORDERS_COLOUR, REVENUE_COLOUR
from dashboard.warehouse import query


def draw(customer_id: str) -> None:
    yearly = query(
        """
        select calendar_year, is_complete_year,
               cast(revenue as double) as revenue,
               cast(wallet as double) as wallet,
               wallet_source,
               share_of_wallet
        from marts.customer_yearly
        where customer_id = ?
        order by calendar_year
        """,
        (customer_id,),
    )
    if yearly.empty:
        st.info("No yearly figures for this customer.")
    else:
        year_labels = [
            f"{year}" if complete else f"{year} (part)"
            for year, complete in zip(yearly["calendar_year"], yearly["is_complete_year"])
        ]
        figure = make_subplots(specs=[[{"secondary_y": True}]])
        figure.add_bar(
            x=year_labels,
            y=yearly["wallet"],
            name="Wallet (hatched)",
            marker={"color": "#D5CFCB", "line": {"color": "#6F6560", "width": 1},
                    "pattern": {"shape": "/", "fgcolor": "#6F6560", "size": 6}},
        )
        figure.add_bar(
            x=year_labels, y=yearly["revenue"], name="Our revenue", marker_color=REVENUE_COLOUR
        )
        figure.add_scatter(
            x=year_labels,
            y=yearly["share_of_wallet"] * 100,
            name="Share of wallet",
            mode="lines+markers",
            line_color=ORDERS_COLOUR,
            secondary_y=True,
        )
        figure.update_layout(
            barmode="group",
            height=340,
            margin={"t": 30, "b": 10},
            legend={"orientation": "h", "y": 1.12},
        )
        figure.update_yaxes(title_text=currency_symbol().strip(), tickprefix=currency_symbol(), tickformat="~s", secondary_y=False)
        figure.update_yaxes(
            title_text="Share of wallet",
            ticksuffix=" %",
            tickformat=".1~f",
            rangemode="tozero",
            showgrid=False,
            tickmode="auto",
            secondary_y=True,
        )
        figure.update_xaxes(type="category")
        show_chart(figure)
        st.caption(
            "What the customer spends per year in our categories (its wallet, hatched bars) against what "
            "it buys from us (solid bars), and our share of it (the line with dots). A partial year "
            "compares part of a year of revenue with a full-year wallet."
        )
        table = yearly.sort_values("calendar_year", ascending=False).assign(
            wallet_source=lambda frame: frame["wallet_source"].map(WALLET_SOURCES)
        )
        show_table(
            table,
            {
                "calendar_year": st.column_config.NumberColumn("Year", format="%d"),
                "is_complete_year": st.column_config.CheckboxColumn(
                    "Full year", help="Unticked: the year is not over yet (or the export starts in it)."
                ),
                "revenue": Figure("Our revenue", help="What the customer bought from us that year."),
                "wallet": Figure(
                    "Wallet", help="What the customer spends a year on what we sell, from us or others. A dash: unknown."
                ),
                "wallet_source": st.column_config.TextColumn(
                    "Wallet from", help="Market research, else an estimate from turnover or from similar companies."
                ),
                "share_of_wallet": Figure("Share of wallet", "share", digits=1, help="Our revenue over the wallet."),
            },
            export=f"share-of-wallet-{customer_id}.csv",
        )
