"""Portfolio: the customer base at a glance, as of the reporting date."""

import plotly.express as px
import streamlit as st

from dashboard.warehouse import query

customers = query(
    """
    select customer_id, customer_name, industry, region, reporting_date,
           order_count_lifetime, revenue_t12m, revenue_lifetime, last_order_date
    from marts.customer_metrics
    order by revenue_t12m desc, customer_id
    """
)

st.title("Portfolio")
if customers.empty:
    st.warning("The warehouse holds no customers yet.")
    st.stop()

reporting_date = customers["reporting_date"].iloc[0]
st.caption(f"As of {reporting_date:%d %B %Y} · trailing twelve months")

active = customers[customers["revenue_t12m"] > 0]
revenue = float(active["revenue_t12m"].sum())
top_fifth = active.head(max(1, len(active) // 5))
top_share = float(top_fifth["revenue_t12m"].sum()) / revenue if revenue else 0.0

col1, col2, col3, col4 = st.columns(4)
col1.metric("Customers", f"{len(customers):,}")
col2.metric("Active (bought in 12 months)", f"{len(active):,}")
col3.metric("Revenue, 12 months", f"€{revenue:,.0f}")
col4.metric("Top 20 % of customers bring", f"{top_share:.0%}")

ranked = active.reset_index(drop=True)
ranked["cumulative_share"] = ranked["revenue_t12m"].cumsum() / revenue
ranked["customer_share"] = (ranked.index + 1) / len(ranked)
figure = px.line(
    ranked,
    x="customer_share",
    y="cumulative_share",
    labels={"customer_share": "Share of customers, largest first", "cumulative_share": "Share of revenue"},
    title="Revenue concentration (Pareto curve)",
)
figure.update_layout(xaxis_tickformat=".0%", yaxis_tickformat=".0%", height=360)
st.plotly_chart(figure, width="stretch")

st.subheader("Largest customers by revenue")
st.dataframe(
    customers.head(25)[
        ["customer_name", "industry", "region", "revenue_t12m", "revenue_lifetime", "order_count_lifetime", "last_order_date"]
    ],
    hide_index=True,
    width="stretch",
    column_config={
        "customer_name": "Customer",
        "industry": "Industry",
        "region": "Region",
        "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format="€%,.0f"),
        "revenue_lifetime": st.column_config.NumberColumn("Lifetime revenue", format="€%,.0f"),
        "order_count_lifetime": "Orders",
        "last_order_date": st.column_config.DateColumn("Last order"),
    },
)
