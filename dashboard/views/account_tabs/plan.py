"""The Account page's Plan vs actual tab: revenue and margin against the account plan, period by
period."""

from __future__ import annotations

import streamlit as st

from dashboard.plans import PLAN_FIGURES, label_periods, not_started, plan_chart
from dashboard.ui import below_plan_text, show_table
from dashboard.warehouse import query


def draw(customer_id: str) -> None:
    plans = query(
        """
        select period_start, period_end, period_status,
               cast(target_revenue as double) as target_revenue,
               cast(target_revenue_to_date as double) as target_revenue_to_date,
               cast(actual_revenue as double) as actual_revenue,
               revenue_attainment,
               cast(target_gross_margin_to_date as double) as target_gross_margin_to_date,
               cast(actual_gross_margin as double) as actual_gross_margin,
               margin_attainment,
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
        show_table(
            table,
            {
                "period": st.column_config.TextColumn("Period"),
                "period_status": st.column_config.TextColumn("Status"),
                **PLAN_FIGURES,
                "is_below_plan": st.column_config.CheckboxColumn(
                    "Below plan", help=f"Ticked: {below_plan_text()}."
                ),
            },
            export=f"plan-vs-actual-{customer_id}.csv",
            blank=not_started(table),
            caption=f"Below plan: {below_plan_text()}. A period not started yet has no figures to show.",
        )
