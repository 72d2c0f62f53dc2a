"""The bounds the checks judge against, in one place with documented defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

from loading.rules import RuleSettings


@dataclass(frozen=True)
class QualitySettings:
    """Tunable limits of the data-quality checks.

    - `rules`: the bounds of the rule catalogue, the same at load and in the checks (defaults and
      KAM_* overrides in `RuleSettings.from_environment`): currency (EUR), earliest order date
      (2000-01-01), latest order date (today), |quantity| ≤ 1,000,000 and |net_revenue| ≤
      100,000,000 per line, at most 20 % of sold lines with a cost above their revenue.
    - `sample_rows`: offending rows kept per failed rule for the report (default 5).
    """

    rules: RuleSettings = field(default_factory=RuleSettings.from_environment)
    sample_rows: int = 5
