"""What several parts of the Account page use: the colour of each measure in its charts, the test
for a figure the warehouse does not know, and the customer's monthly figures (the Sales and Cost to
serve tabs both chart them)."""

from __future__ import annotations

import pandas as pd

from dashboard.warehouse import query

REVENUE_COLOUR, MARGIN_COLOUR, COST_COLOUR, ORDERS_COLOUR = (
    "#4C78A8",
    "#54A24B",
    "#E45756",
    "#F58518",
)


def missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def monthly_figures(customer_id: str) -> pd.DataFrame:
    """The customer's months with orders, oldest first: revenue, gross margin, margin coverage
    (in %), orders, cost to serve and net contribution."""
    return query(
        """
        select month_start,
               cast(revenue as double) as revenue,
               cast(gross_margin as double) as gross_margin,
               margin_coverage * 100 as margin_coverage,
               order_count,
               cast(cost_to_serve as double) as cost_to_serve,
               cast(net_contribution as double) as net_contribution
        from marts.customer_monthly
        where customer_id = ?
        order by month_start
        """,
        (customer_id,),
    )
