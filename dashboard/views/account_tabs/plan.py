"""The Account page's Plan vs actual tab: revenue and margin against the account plan, period by
period."""

from __future__ import annotations

import streamlit as st

from dashboard.export import download_button
from dashboard.plans import label_periods, plan_chart
from dashboard.ui import below_plan_text, money_format
from dashboard.warehouse import query


def draw(customer_id: str) -> None:
    plans = query(
        """
        select period_start, period_end, period_status,
               cast(target_revenue as double) as target_revenue,
               cast(target_revenue_to_date as double) as target_revenue_to_date,
               cast(actual_revenue as double) as actual_revenue,
               revenue_attainment * 100 as revenue_attainment,
               cast(target_gross_margin_to_date as double) as target_gross_margin_to_date,
               cast(actual_gross_margin as double) as actual_gross_margin,
               margin_attainment * 100 as margin_attainment,
               is_below_plan
        from marts.account_plan_performance
        where customer_id = ?
        order by period_start, period_end
        """,
        (customer_id,),
    )
    if plans.empty:
        st.info("No account plan for this customer.")
    else:
        plans = label_periods(plans)
        plan_chart(
            plans,
            "Revenue against the account plan per period, with the share of plan reached; a period "
            "in progress is judged on its target pro-rated to the days elapsed.",
        )
        table = plans[
            [
                "period",
                "period_status",
                "target_revenue",
                "target_revenue_to_date",
                "actual_revenue",
                "revenue_attainment",
                "target_gross_margin_to_date",
                "actual_gross_margin",
                "margin_attainment",
                "is_below_plan",
            ]
        ]
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "period": "Period",
                "period_status": "Status",
                "target_revenue": st.column_config.NumberColumn("Revenue target", format=money_format()),
                "target_revenue_to_date": st.column_config.NumberColumn(
                    "Target to date", format=money_format()
                ),
                "actual_revenue": st.column_config.NumberColumn("Actual revenue", format=money_format()),
                "revenue_attainment": st.column_config.NumberColumn(
                    "Revenue vs plan", format="%.0f %%"
                ),
                "target_gross_margin_to_date": st.column_config.NumberColumn(
                    "Margin target to date", format=money_format()
                ),
                "actual_gross_margin": st.column_config.NumberColumn(
                    "Actual margin", format=money_format()
                ),
                "margin_attainment": st.column_config.NumberColumn(
                    "Margin vs plan", format="%.0f %%"
                ),
                "is_below_plan": st.column_config.CheckboxColumn("Below plan"),
            },
        )
        st.caption(f"Below plan: {below_plan_text()}.")
        download_button(table, f"plan-vs-actual-{customer_id}.csv")
