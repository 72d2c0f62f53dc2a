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
from dataclasses import dataclass

import pandas as pd

# The scorecard's attributes, in the order of the dbt macro `score_attributes` (display order):
# (name, label for a sales leader, perspective).
ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("revenue_size", "Revenue size", "current"),
    ("profitability", "Profitability", "current"),
    ("margin_quality", "Margin quality", "current"),
    ("loyalty", "Loyalty", "current"),
    ("growth", "Growth", "future_fit"),
    ("wallet_headroom", "Wallet headroom", "future_fit"),
    ("strategic_fit", "Strategic fit", "future_fit"),
    ("relationship_access", "Relationship access", "future_fit"),
)
NAMES: tuple[str, ...] = tuple(name for name, _, _ in ATTRIBUTES)
LABELS: dict[str, str] = {name: label for name, label, _ in ATTRIBUTES}

SELECTION_RULES: dict[str, str] = {
    "top_share": "Best share of active customers",
    "top_n": "Best N customers",
    "score_threshold": "Everyone above a minimum score",
    "manager_capacity": "Each manager's best, up to their capacity",
}

DEFINITION_LABELS: dict[str, str] = {
    "balanced": "Balanced",
    "the_big_ones": "The big ones",
    "mustnt_lose": "Mustn't lose",
    "future_profit": "Future profit",
    "staff_focus": "Staff focus",
    "extra_effort_extra_return": "Extra effort, extra return",
    "the_demanding_ones": "The demanding ones",
    "where_we_want_to_go": "Where we want to go",
}


def definition_label(name: str) -> str:
    """A definition's name as a sales leader reads it ("mustnt_lose" -> "Mustn't lose")."""
    return DEFINITION_LABELS.get(name) or name.replace("_", " ").strip().capitalize()


# The eligibility gates, in the order the macro tests them (a customer is named with the first it
# fails): value of `excluded_by_gate` -> what it means for a sales leader.
GATES: dict[str, str] = {
    "min_tenure": "Customer for too short a time",
    "revenue_tier": "Outside the revenue tiers",
    "positive_contribution": "Does not earn us money",
    "mistake_flag": "Shows a classic mistake",
}
REVENUE_TIERS: tuple[str, ...] = ("A", "B", "C")


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
        if set((self.gate_revenue_tiers or "").upper()) - set(REVENUE_TIERS):
            raise ValueError(f"revenue tiers are some of {''.join(REVENUE_TIERS)}")

    @property
    def has_weight(self) -> bool:
        return any((weight or 0) > 0 for weight in self.weights)

    @property
    def revenue_tiers(self) -> tuple[str, ...]:
        """The gate's tiers ("AB" -> ("A", "B")); empty when there is no tier gate."""
        given = (self.gate_revenue_tiers or "").upper()
        return tuple(tier for tier in REVENUE_TIERS if tier in given)

    @property
    def has_gates(self) -> bool:
        return bool(
            self.gate_min_tenure_months
            or self.revenue_tiers
            or self.gate_positive_contribution
            or self.gate_no_mistake_flags
        )

    def rule_text(self) -> str:
        if self.selection_rule == "top_share":
            return (
                f"best {self.top_share:.0%} of active customers" if self.top_share else "best share"
            )
        if self.selection_rule == "top_n":
            return f"best {self.top_n:,} customers"
        if self.selection_rule == "score_threshold":
            return f"score of at least {self.min_score:g}"
        return "each manager's best, up to their capacity"

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
# as int_scorecard_definitions_versioned passes them; plus the three figures the pages show.
WHAT_IF_SQL = f"""
select
    selection.*,
    economics.customer_name,
    cast(economics.revenue_t12m as double) as revenue_t12m,
    cast(economics.net_contribution_t12m as double) as net_contribution_t12m
from scoring.key_account_selection(
    'intermediate.int_scorecard_attributes_normalised',
    {", ".join("cast(? as double)" for _ in NAMES)},
    cast(? as varchar), cast(? as double), cast(? as integer), cast(? as double),
    cast(? as integer), cast(? as varchar), cast(? as boolean), cast(? as boolean)
) as selection
inner join intermediate.int_customer_economics as economics
    on selection.customer_id = economics.customer_id
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


PRESETS_SQL = f"""
select definition_name, description, selection_rule, top_share, top_n, min_score,
       gate_min_tenure_months, gate_revenue_tiers, gate_positive_contribution,
       gate_no_mistake_flags,
       {", ".join(f"{n}_weight" for n in NAMES)}
from config.scorecard_definitions
order by case definition_name when 'balanced' then 0 else 1 end, definition_name
"""


def _value(value):
    return None if value is None or pd.isna(value) else value


def presets(run: Runner | None = None) -> dict[str, Definition]:
    """The shipped definitions (config.scorecard_definitions), balanced first."""
    if run is None:
        from dashboard.warehouse import query as run
    frame = run(PRESETS_SQL, ())
    definitions: dict[str, Definition] = {}
    for row in frame.to_dict("records"):
        top_n = _value(row["top_n"])
        min_tenure = _value(row["gate_min_tenure_months"])
        definitions[row["definition_name"]] = Definition(
            name=row["definition_name"],
            weights=tuple(float(_value(row[f"{n}_weight"]) or 0.0) for n in NAMES),
            selection_rule=row["selection_rule"],
            top_share=_value(row["top_share"]),
            top_n=None if top_n is None else int(top_n),
            min_score=_value(row["min_score"]),
            description=_value(row["description"]) or "",
            gate_min_tenure_months=None if min_tenure is None else int(min_tenure),
            gate_revenue_tiers=_value(row["gate_revenue_tiers"]),
            gate_positive_contribution=bool(_value(row["gate_positive_contribution"]) or False),
            gate_no_mistake_flags=bool(_value(row["gate_no_mistake_flags"]) or False),
        )
    return definitions
