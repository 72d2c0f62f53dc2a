"""The what-if scorer: the warehouse's own scorecard, called with a definition chosen on the page.

The scorecard has one implementation, the DuckDB table macro `scoring.key_account_selection` that
dbt publishes in the warehouse before any model runs (dbt_project/macros/create_scoring_macros.sql,
built on the dbt macro `score_weighted`). It scores every active customer with a definition's
weights, applies the definition's eligibility gates (minimum tenure, revenue tiers, positive
contribution) and picks key accounts by its selection rule. int_scorecard_scores calls it once per
shipped definition; `WHAT_IF_SQL` below calls the same macro with the page's weights, rule and gates
as query parameters and only adds each customer's name, revenue and net contribution. Nothing of
the formula is copied here, so a shipped definition scored here shows exactly
marts.key_account_scorecard's scores and `is_key_account_computed`
(tests/test_whatif_agrees_with_warehouse.py checks it for every shipped definition). Manual
overrides are not applied here: the what-if shows what a definition picks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import pandas as pd

from dashboard.ui import ATTRIBUTES, TIERS, in_definition_order, selection_rule_text

NAMES: tuple[str, ...] = tuple(name for name, _, _ in ATTRIBUTES)

SELECTION_RULES: dict[str, str] = {
    "top_share": "Best share of active customers",
    "top_n": "Best N customers",
    "score_threshold": "Everyone above a minimum score",
    "manager_capacity": "Each manager's best, up to their capacity",
}


# The eligibility gates, in the order the macro tests them (a customer is named with the first it
# fails): value of `excluded_by_gate` -> what it means for a sales leader.
GATES: dict[str, str] = {
    "min_tenure": "Customer for too short a time",
    "revenue_tier": "Outside the revenue tiers",
    "positive_contribution": "Does not earn us money",
    "mistake_flag": "Shows a classic mistake",
}


def gate_label(gate: str | None) -> str:
    """Why a customer was left out ("" when no gate excluded it: None, NaN or NA)."""
    return GATES.get(gate, gate) if isinstance(gate, str) else ""


Runner = Callable[[str, tuple], pd.DataFrame]


@dataclass(frozen=True)
class Definition:
    """A key-account definition: relative weights (>= 0, any scale), a selection rule, and the
    eligibility gates a customer must pass to be picked (default: none)."""

    name: str
    weights: tuple[float, ...]
    selection_rule: str = "top_share"
    top_share: float | None = 0.04
    top_n: int | None = None
    min_score: float | None = None
    description: str = ""
    # Months since the first order needed to be picked (a tenure the export cuts short passes).
    gate_min_tenure_months: int | None = None
    # The revenue tiers a customer must be in, e.g. "A" or "AB"; None or "" = any tier.
    gate_revenue_tiers: str | None = None
    # Only customers whose contribution is above 0 (an unknown contribution passes).
    gate_positive_contribution: bool = False
    # Only customers raising none of the three mistake flags (big but unprofitable, one-off, easy
    # sell without growth).
    gate_no_mistake_flags: bool = False

    def __post_init__(self) -> None:
        if len(self.weights) != len(NAMES):
            raise ValueError(f"a definition needs {len(NAMES)} weights, got {len(self.weights)}")
        if any(weight is not None and weight < 0 for weight in self.weights):
            raise ValueError("weights must be 0 or more")
        if self.selection_rule not in SELECTION_RULES:
            raise ValueError(f"unknown selection rule {self.selection_rule!r}")
        if self.gate_min_tenure_months is not None and self.gate_min_tenure_months < 0:
            raise ValueError("the minimum tenure must be 0 months or more")
        if set((self.gate_revenue_tiers or "").upper()) - set(TIERS):
            raise ValueError(f"revenue tiers are some of {''.join(TIERS)}")

    @property
    def has_weight(self) -> bool:
        return any((weight or 0) > 0 for weight in self.weights)

    @property
    def revenue_tiers(self) -> tuple[str, ...]:
        """The gate's tiers ("AB" -> ("A", "B")); empty when there is no tier gate."""
        given = (self.gate_revenue_tiers or "").upper()
        return tuple(tier for tier in TIERS if tier in given)

    @property
    def has_gates(self) -> bool:
        return bool(
            self.gate_min_tenure_months
            or self.revenue_tiers
            or self.gate_positive_contribution
            or self.gate_no_mistake_flags
        )

    def rule_text(self) -> str:
        """Whom the definition picks, e.g. "the best-scored 4 % of active customers"."""
        return selection_rule_text(asdict(self))

    def gates_text(self) -> str:
        """The gates in plain words, e.g. "customer for 24+ months · tier A · earns us money";
        "no gates" without any."""
        parts = []
        if self.gate_min_tenure_months:
            parts.append(f"customer for {self.gate_min_tenure_months}+ months")
        if self.revenue_tiers:
            parts.append(f"tier {' or '.join(self.revenue_tiers)}")
        if self.gate_positive_contribution:
            parts.append("earns us money")
        if self.gate_no_mistake_flags:
            parts.append("no mistake flag")
        return " · ".join(parts) or "no gates"


# The warehouse's table macro over the published attributes, one placeholder per argument, typed
# as marts.key_account_definitions holds the settings; plus the three figures the pages show.
WHAT_IF_SQL = f"""
select
    selection.*,
    customers.customer_name,
    cast(customers.revenue_t12m as double) as revenue_t12m,
    cast(customers.net_contribution_t12m as double) as net_contribution_t12m
from scoring.key_account_selection(
    'marts.scorecard_attributes',
    {", ".join("cast(? as double)" for _ in NAMES)},
    cast(? as varchar), cast(? as double), cast(? as integer), cast(? as double),
    cast(? as integer), cast(? as varchar), cast(? as boolean), cast(? as boolean)
) as selection
inner join marts.customer_metrics as customers
    on selection.customer_id = customers.customer_id
"""


OUTPUT_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "customer_name",
    "account_manager_id",
    "capacity_accounts",
    "revenue_t12m",
    "net_contribution_t12m",
    *(f"{n}_{part}" for n in NAMES for part in ("value", "weight", "contribution")),
    "known_weight_share",
    "score",
    "score_rank",
    "excluded_by_gate",
    "eligible_rank",
    "active_customers",
    "manager_rank",
    "is_key_account_computed",
)


def what_if_sql(columns: Sequence[str] | None = None, selected_only: bool = False) -> str:
    """The query, best first; `columns` picks output columns (default all), `selected_only` keeps
    the customers the definition picks."""
    columns = tuple(columns or OUTPUT_COLUMNS)
    unknown = set(columns) - set(OUTPUT_COLUMNS)
    if unknown:
        raise ValueError(f"unknown what-if columns: {sorted(unknown)}")
    where = "where is_key_account_computed" if selected_only else ""
    return (
        f"select {', '.join(columns)} from ({WHAT_IF_SQL}) as what_if {where} order by score_rank"
    )


def what_if_params(definition: Definition) -> tuple:
    """Parameters in the macro's argument order: the eight weights, the rule and its parameters,
    then the gates."""
    return (
        *(None if weight is None else float(weight) for weight in definition.weights),
        definition.selection_rule,
        None if definition.top_share is None else float(definition.top_share),
        None if definition.top_n is None else int(definition.top_n),
        None if definition.min_score is None else float(definition.min_score),
        None
        if definition.gate_min_tenure_months is None
        else int(definition.gate_min_tenure_months),
        "".join(definition.revenue_tiers) or None,
        bool(definition.gate_positive_contribution),
        bool(definition.gate_no_mistake_flags),
    )


def what_if_scores(
    definition: Definition,
    run: Runner | None = None,
    columns: Sequence[str] | None = None,
    selected_only: bool = False,
) -> pd.DataFrame:
    """Score every active customer under `definition` (one row each, best first).

    Columns: customer_id, customer_name, account_manager_id, capacity_accounts, revenue_t12m,
    net_contribution_t12m, <attribute>_value / _weight / _contribution, known_weight_share,
    score, score_rank, excluded_by_gate (the first gate the customer fails, null when eligible),
    eligible_rank, active_customers, manager_rank, is_key_account_computed.
    `run(sql, params)` runs the query; by default the dashboard's cached read-only warehouse.
    """
    if run is None:
        from dashboard.warehouse import query as run
    return run(what_if_sql(columns, selected_only), what_if_params(definition))


# The configured (relative) weights, as int_scorecard_scores passes them to the macro.
PRESETS_SQL = f"""
select definition_name, description, selection_rule, top_share, top_n, min_score,
       gate_min_tenure_months, gate_revenue_tiers, gate_positive_contribution,
       gate_no_mistake_flags,
       {", ".join(f"{n}_configured" for n in NAMES)}
from marts.key_account_definitions
"""


def _value(value):
    return None if value is None or pd.isna(value) else value


def presets(run: Runner | None = None) -> dict[str, Definition]:
    """The shipped definitions (marts.key_account_definitions), in display order."""
    if run is None:
        from dashboard.warehouse import query as run
    frame = run(PRESETS_SQL, ()).set_index("definition_name", drop=False)
    definitions: dict[str, Definition] = {}
    for row in frame.loc[in_definition_order(frame.index)].to_dict("records"):
        top_n = _value(row["top_n"])
        min_tenure = _value(row["gate_min_tenure_months"])
        definitions[row["definition_name"]] = Definition(
            name=row["definition_name"],
            weights=tuple(float(row[f"{n}_configured"]) for n in NAMES),
            selection_rule=row["selection_rule"],
            top_share=_value(row["top_share"]),
            top_n=None if top_n is None else int(top_n),
            min_score=_value(row["min_score"]),
            description=_value(row["description"]) or "",
            gate_min_tenure_months=None if min_tenure is None else int(min_tenure),
            gate_revenue_tiers=_value(row["gate_revenue_tiers"]),
            gate_positive_contribution=bool(row["gate_positive_contribution"]),
            gate_no_mistake_flags=bool(row["gate_no_mistake_flags"]),
        )
    return definitions
