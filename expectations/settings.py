"""The bounds the expectation suites check against, in one place with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from orchestration.row_rules import RuleSettings


@dataclass(frozen=True)
class QualitySettings:
    """Tunable limits of the data-quality rules.

    - `rules`: the bounds shared with the load-time row rules, so a row that loads is judged by
      the same limits here (defaults and KAM_* overrides in `RuleSettings.from_environment`):
      currency (EUR), earliest order date (2000-01-01), latest order date (today),
      |quantity| ≤ 1,000,000 and |net_revenue| ≤ 100,000,000 per line.
    - `max_cost_above_revenue_share`: the largest share of sold lines (net_revenue > 0, with a
      cost) whose cost exceeds their revenue (default 0.2). Loss-making lines happen; a fifth of
      them means the cost column is in other units or another currency.
    - `chunk_rows`: rows per pandas batch handed to Great Expectations (default 500,000), which
      bounds memory whatever the table size.
    - `sample_rows`: offending rows kept per failed rule for the report (default 5).
    """

    rules: RuleSettings = field(default_factory=RuleSettings.from_environment)
    max_cost_above_revenue_share: float = 0.2
    chunk_rows: int = 500_000
    sample_rows: int = 5
