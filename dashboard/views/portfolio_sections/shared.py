"""What the Portfolio page's curves share: how many points they draw, and the colour of each
measure."""

from __future__ import annotations

# Charts draw at most about this many points per curve, whatever the number of customers.
CURVE_POINTS = 400
REVENUE_COLOUR = "#1f4e79"
CONTRIBUTION_COLOUR = "#2e8b57"
KEY_COLOUR = "#d9822b"
