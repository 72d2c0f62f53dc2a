"""Portfolio: the customer base and its key accounts at a glance, as of the reporting date."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui import (
    currency_symbol,
    definition_label,
    definition_select,
    format_money,
    input_gaps_notice,
)
from dashboard.views.portfolio_sections import (
    concentration,
    development_list,
    key_account_list,
    key_account_shares,
    pareto_curves,
    tier_matrix,
    whale_curve,
)
from dashboard.warehouse import query

st.set_page_config(layout="wide")
definition = definition_select()

headline = query(
    """
    select c.customers, c.reporting_date, c.active_customers, c.revenue_t12m, c.net_contribution_t12m,
           c.top_customers_share, c.top_customers_revenue_share, c.top_customers_contribution_share,
           c.revenue_herfindahl, c.largest_customer_revenue_share, c.loss_making_customers,
           c.margin_coverage_t12m
    from marts.portfolio_concentration c
    """
)

st.title("Portfolio")
input_gaps_notice(detailed=True)
if headline.empty or not headline["active_customers"].iloc[0]:
    st.warning("The warehouse holds no customer with revenue in the last twelve months yet.")
    st.stop()
figures = headline.iloc[0]
st.caption(
    f"As of {pd.Timestamp(figures['reporting_date']):%d %B %Y} · trailing twelve months · "
    f"key accounts under the definition **{definition_label(definition)}**"
)

revenue = float(figures["revenue_t12m"] or 0)
# Unknown (no service costs loaded) stays unknown: a dash, never €0.
contribution = None if pd.isna(figures["net_contribution_t12m"]) else float(figures["net_contribution_t12m"])
active = int(figures["active_customers"])

row = st.columns(4)
row[0].metric("Customers", f"{int(figures['customers']):,}", border=True, help="Every customer in the data.")
row[1].metric(
    "Active customers",
    f"{active:,}",
    border=True,
    help="Customers who bought from us in the last twelve months (net of returns).",
)
row[2].metric(
    "Revenue, 12 months",
    format_money(revenue),
    border=True,
    help=f"{currency_symbol()}{revenue:,.0f} in the last twelve months, after discounts and returns.",
)
row[3].metric(
    "Net contribution, 12 months",
    format_money(contribution),
    border=True,
    help=(
        f"{currency_symbol()}{contribution:,.0f}: gross margin minus cost to serve, the last twelve months."
        if contribution is not None
        else "Unknown: no service costs were loaded, so cost to serve (and what is left after it) is not known."
    ),
)

key_group, concentration_group = st.columns(2)
with key_group:
    key_account_shares.draw(definition)
with concentration_group:
    concentration.draw(figures)

left, right = st.columns(2)
with left:
    pareto_curves.draw(definition)
with right:
    whale_curve.draw(figures)

tier_matrix.draw(definition, revenue)
key_account_list.draw(definition)
development_list.draw(definition)
