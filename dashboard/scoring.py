"""The what-if scorer: the warehouse's scoring formula with weights chosen on the page.

The warehouse scores every customer with the dbt macro `score_weighted`
(dbt_project/macros/score_weighted.sql) over `intermediate.int_scorecard_attributes_normalised`,
after scaling the definition's weights to add up to 1 (int_scorecard_definitions_versioned), and
picks key accounts by the definition's selection rule (int_scorecard_selections). `WHAT_IF_SQL`
below is that same chain as one parameterised DuckDB query, written expression for expression
like the models (same casts, same order of additions), so its scores agree with
`marts.key_account_scorecard.score` to the last digit and its selection with
`is_key_account_computed`; tests/test_whatif_agrees_with_warehouse.py proves it for every shipped
definition. Manual overrides are not applied here: the what-if shows what a definition picks.
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


Runner = Callable[[str, tuple], pd.DataFrame]


@dataclass(frozen=True)
class Definition:
    """A key-account definition: relative weights (>= 0, any scale) and a selection rule."""

    name: str
    weights: tuple[float, ...]
    selection_rule: str = "top_share"
    top_share: float | None = 0.04
    top_n: int | None = None
    min_score: float | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if len(self.weights) != len(NAMES):
            raise ValueError(f"a definition needs {len(NAMES)} weights, got {len(self.weights)}")
        if any(weight is not None and weight < 0 for weight in self.weights):
            raise ValueError("weights must be 0 or more")
        if self.selection_rule not in SELECTION_RULES:
            raise ValueError(f"unknown selection rule {self.selection_rule!r}")

    @property
    def has_weight(self) -> bool:
        return any((weight or 0) > 0 for weight in self.weights)

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


def _sum(expressions: Sequence[str]) -> str:
    return " + ".join(expressions)


def _build_sql() -> str:
    # The weights, as in int_scorecard_definitions_versioned: blank = 0, scaled to add up to 1.
    given = ",\n            ".join(f"cast(? as double) as {n}_weight" for n in NAMES)
    configured = ",\n            ".join(
        f"cast(coalesce({n}_weight, 0) as double) as {n}_configured" for n in NAMES
    )
    configured_total = _sum([f"cast(coalesce({n}_weight, 0) as double)" for n in NAMES])
    scaled = ",\n            ".join(f"{n}_configured / total_weight as {n}_weight" for n in NAMES)
    # The macro score_weighted, innermost select first.
    paired_columns = ",\n            ".join(
        f"a.{n}_value,\n            cast(coalesce(w.{n}_weight, 0) as double) as {n}_given_weight"
        for n in NAMES
    )
    total = _sum([f"cast(coalesce(w.{n}_weight, 0) as double)" for n in NAMES])
    known = _sum(
        [
            f"case when a.{n}_value is not null then cast(coalesce(w.{n}_weight, 0) as double) "
            "else 0 end"
            for n in NAMES
        ]
    )
    weighted_columns = ",\n            ".join(
        f"{n}_value,\n"
        f"            case when {n}_value is not null and known_weight > 0\n"
        f"                then {n}_given_weight / known_weight else 0 end as {n}_weight,\n"
        f"            case when {n}_value is not null and known_weight > 0\n"
        f"                then {n}_value * {n}_given_weight / known_weight else 0 end"
        f" as {n}_contribution"
        for n in NAMES
    )
    scored_columns = ",\n            ".join(
        f"{n}_value, {n}_weight, {n}_contribution" for n in NAMES
    )
    score = _sum([f"{n}_contribution" for n in NAMES])
    output_columns = ",\n        ".join(
        f"scored.{n}_value, scored.{n}_weight, scored.{n}_contribution" for n in NAMES
    )
    return f"""
with

rule as (
    select
        cast(? as varchar) as selection_rule,
        cast(? as double) as top_share,
        cast(? as integer) as top_n,
        cast(? as double) as min_score
),

given as (
    select
            {given}
),

configured as (
    select
            {configured},
            {configured_total} as total_weight
    from given
),

weights as (
    select
            {scaled}
    from configured
),

scored as (
    select
            customer_id,
            {scored_columns},
            known_weight_share,
            case when has_known_weight then {score} end as score
    from (
        select
            customer_id,
            known_weight > 0 as has_known_weight,
            known_weight / nullif(total_weight, 0) as known_weight_share,
            {weighted_columns}
        from (
            select
            a.customer_id,
            {paired_columns},
            {total} as total_weight,
            {known} as known_weight
            from intermediate.int_scorecard_attributes_normalised as a
            cross join weights as w
        ) as paired
    ) as weighted
),

ranked as (
    select
        scored.customer_id,
        economics.customer_name,
        economics.account_manager_id,
        managers.capacity_accounts,
        cast(economics.revenue_t12m as double) as revenue_t12m,
        cast(economics.net_contribution_t12m as double) as net_contribution_t12m,
        {output_columns},
        scored.known_weight_share,
        scored.score,
        row_number() over (
            order by scored.score desc nulls last, scored.customer_id
        ) as score_rank,
        count(*) over () as active_customers,
        row_number() over (
            partition by economics.account_manager_id
            order by scored.score desc nulls last, scored.customer_id
        ) as manager_rank
    from scored
    inner join intermediate.int_customer_economics as economics
        on scored.customer_id = economics.customer_id
    left join staging.stg_account_managers as managers
        on economics.account_manager_id = managers.account_manager_id
),

selected as (
    select
        ranked.*,
        coalesce(ranked.score is not null and case rule.selection_rule
            when 'top_share'
                then ranked.score_rank <= ceiling(cast(rule.top_share as decimal(18, 6)) * ranked.active_customers)
            when 'top_n' then ranked.score_rank <= rule.top_n
            when 'score_threshold' then ranked.score >= rule.min_score
            when 'manager_capacity'
                then ranked.account_manager_id is not null and ranked.manager_rank <= ranked.capacity_accounts
        end, false) as is_key_account_computed
    from ranked
    cross join rule
)

select * from selected
"""


WHAT_IF_SQL = _build_sql()


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
    """Parameters in placeholder order: the rule, then the eight weights."""
    return (
        definition.selection_rule,
        None if definition.top_share is None else float(definition.top_share),
        None if definition.top_n is None else int(definition.top_n),
        None if definition.min_score is None else float(definition.min_score),
        *(None if weight is None else float(weight) for weight in definition.weights),
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
    score, score_rank, active_customers, manager_rank, is_key_account_computed.
    `run(sql, params)` runs the query; by default the dashboard's cached read-only warehouse.
    """
    if run is None:
        from dashboard.warehouse import query as run
    return run(what_if_sql(columns, selected_only), what_if_params(definition))


PRESETS_SQL = f"""
select definition_name, description, selection_rule, top_share, top_n, min_score,
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
        definitions[row["definition_name"]] = Definition(
            name=row["definition_name"],
            weights=tuple(float(_value(row[f"{n}_weight"]) or 0.0) for n in NAMES),
            selection_rule=row["selection_rule"],
            top_share=_value(row["top_share"]),
            top_n=None if top_n is None else int(top_n),
            min_score=_value(row["min_score"]),
            description=_value(row["description"]) or "",
        )
    return definitions
