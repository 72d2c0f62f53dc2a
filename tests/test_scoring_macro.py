"""The scorecard's rules, on tiny hand-made customers with the numbers worked out by hand.

The scorecard has one implementation: the table macro `scoring.key_account_selection` that dbt
publishes in the warehouse (dbt_project/macros/create_scoring_macros.sql). The warehouse, the
backtest and the dashboard's what-if all call it. It reads its customers from a table given by
name, so these tests attach the demo warehouse (for the macro) and its working database (for the
shape of intermediate.int_scorecard_attributes_normalised, which is not published), put a few
customers in a temporary table of that shape, and call the macro on it:
the weighting and the unknown-attribute rule, the four selection rules, and the eligibility gates.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from dashboard.scoring import NAMES
from orchestration.warehouse import work_path

# What the macro reads of a customer besides the eight attribute values.
CUSTOMER_COLUMNS = (
    "customer_id",
    "reporting_date",
    "account_manager_id",
    "capacity_accounts",
    "revenue_tier",
    "tenure_months",
    "is_tenure_censored",
    "contribution_t12m",
    "mistake_flags",
)
# An unremarkable customer: managed, tier A, long-standing, profitable; no attribute known.
DEFAULTS = {
    "reporting_date": "2026-10-31",
    "account_manager_id": "M1",
    "capacity_accounts": 10,
    "revenue_tier": "A",
    "tenure_months": 60,
    "is_tenure_censored": False,
    "contribution_t12m": 1000,
    "mistake_flags": 0,
}
TABLE = "temp.main.scoring_customers"
CALL = f"""
select * from wh.scoring.key_account_selection(
    '{TABLE}',
    {", ".join("cast(? as double)" for _ in NAMES)},
    cast(? as varchar), cast(? as double), cast(? as integer), cast(? as double),
    cast(? as integer), cast(? as varchar), cast(? as boolean), cast(? as boolean)
)
order by customer_id
"""
REVENUE_ONLY = {"revenue_size": 1}


@pytest.fixture(scope="module")
def conn(demo_warehouse):
    connection = duckdb.connect()
    connection.execute(f"attach '{demo_warehouse}' as wh (read_only)")
    connection.execute(f"attach '{work_path(demo_warehouse)}' as work (read_only)")
    yield connection
    connection.close()


def select(
    conn,
    customers: list[dict],
    weights: dict[str, float] = REVENUE_ONLY,
    rule: str = "top_share",
    top_share: float | None = None,
    top_n: int | None = None,
    min_score: float | None = None,
    min_tenure: int | None = None,
    tiers: str | None = None,
    positive_contribution: bool | None = None,
    no_mistake_flags: bool | None = None,
) -> pd.DataFrame:
    """The macro's rows for `customers` (dicts: customer_id, any of CUSTOMER_COLUMNS to override
    DEFAULTS, <attribute>_value), indexed by customer_id. `weights`: attribute -> weight, the
    others 0."""
    columns = [*CUSTOMER_COLUMNS, *(f"{name}_value" for name in NAMES)]
    # The columns with the warehouse's own types: the test table is shaped like the real one.
    conn.execute(
        f"create or replace temp table {TABLE} as select {', '.join(columns)} "
        "from work.intermediate.int_scorecard_attributes_normalised limit 0"
    )
    rows = [[{**DEFAULTS, **customer}.get(column) for column in columns] for customer in customers]
    conn.executemany(f"insert into {TABLE} values ({', '.join('?' for _ in columns)})", rows)
    unknown = set(weights) - set(NAMES)
    assert not unknown, unknown
    params = [
        *(float(weights.get(name, 0)) for name in NAMES),
        rule,
        top_share,
        top_n,
        min_score,
        min_tenure,
        tiers,
        positive_contribution,
        no_mistake_flags,
    ]
    return conn.execute(CALL, params).df().set_index("customer_id")


def picked(result: pd.DataFrame) -> list[str]:
    """The customers picked, best first."""
    return result[result["is_key_account_computed"]].sort_values("score_rank").index.tolist()


def gates(result: pd.DataFrame) -> dict[str, str | None]:
    return {
        customer_id: (None if pd.isna(gate) else gate)
        for customer_id, gate in result["excluded_by_gate"].items()
    }


# --- scoring -------------------------------------------------------------------------------------


def test_an_unknown_attributes_weight_is_shared_among_the_known_ones(conn):
    """The worked example of docs/scorecard-and-definitions.md: weights revenue size 3, growth 1,
    strategic fit 4 (scaled 0.375 / 0.125 / 0.5)."""
    weights = {"revenue_size": 3, "growth": 1, "strategic_fit": 4}
    result = select(
        conn,
        [
            # Loyalty is known but weighs nothing: it changes nothing.
            {"customer_id": "C1", "revenue_size_value": 80, "growth_value": 40,
             "strategic_fit_value": 100, "loyalty_value": 10},
            {"customer_id": "C2", "revenue_size_value": 80, "growth_value": 40},
            # None of the weighted attributes known: no score, never picked, ranked last.
            {"customer_id": "C3", "loyalty_value": 100},
        ],
        weights,
        rule="top_n",
        top_n=3,
    )

    c1, c2, c3 = result.loc["C1"], result.loc["C2"], result.loc["C3"]
    assert c1["score"] == pytest.approx(85)
    assert (c1["revenue_size_weight"], c1["growth_weight"], c1["strategic_fit_weight"]) == (
        pytest.approx(0.375),
        pytest.approx(0.125),
        pytest.approx(0.5),
    )
    assert (
        c1["revenue_size_contribution"],
        c1["growth_contribution"],
        c1["strategic_fit_contribution"],
    ) == (pytest.approx(30), pytest.approx(5), pytest.approx(50))
    assert c1["loyalty_weight"] == 0 and c1["loyalty_contribution"] == 0
    assert c1["known_weight_share"] == pytest.approx(1)

    assert c2["score"] == pytest.approx(70)
    assert (c2["revenue_size_weight"], c2["growth_weight"], c2["strategic_fit_weight"]) == (
        pytest.approx(0.75),
        pytest.approx(0.25),
        0,
    )
    assert (c2["revenue_size_contribution"], c2["growth_contribution"]) == (
        pytest.approx(60),
        pytest.approx(10),
    )
    assert c2["strategic_fit_contribution"] == 0
    assert c2["known_weight_share"] == pytest.approx(0.5)

    assert pd.isna(c3["score"]) and c3["known_weight_share"] == 0
    assert result["score_rank"].to_dict() == {"C1": 1, "C2": 2, "C3": 3}
    assert picked(result) == ["C1", "C2"]


def test_weights_are_relative(conn):
    customers = [
        {"customer_id": "C1", "revenue_size_value": 80, "growth_value": 40,
         "strategic_fit_value": 100},
    ]
    one = select(conn, customers, {"revenue_size": 3, "growth": 1, "strategic_fit": 4})
    ten = select(conn, customers, {"revenue_size": 30, "growth": 10, "strategic_fit": 40})
    assert one.loc["C1", "score"] == pytest.approx(ten.loc["C1", "score"]) == pytest.approx(85)


# --- selection rules (ported from the dbt unit test test_int_scorecard_selections_rules) ---------

# Scores 90 … 50 and one unknown (revenue size alone weighs). C1, C2 are M1's (capacity 1), C3 and
# C6 M2's (capacity 2), C4 has no manager, C5's manager M3 is missing from the managers file.
RULE_CUSTOMERS = [
    {"customer_id": customer_id, "revenue_size_value": score, "account_manager_id": manager,
     "capacity_accounts": capacity}
    for customer_id, score, manager, capacity in (
        ("C1", 90, "M1", 1),
        ("C2", 80, "M1", 1),
        ("C3", 70, "M2", 2),
        ("C4", 60, None, None),
        ("C5", 50, "M3", None),
        ("C6", None, "M2", 2),
    )
]


def test_top_share_picks_the_best_share_rounded_up(conn):
    result = select(conn, RULE_CUSTOMERS, rule="top_share", top_share=0.5)
    assert result["score_rank"].to_dict() == {f"C{i}": i for i in range(1, 7)}
    assert (result["active_customers"] == 6).all()
    assert picked(result) == ["C1", "C2", "C3"]
    # 0.4 of 6 = 2.4: rounded up to 3 whole customers.
    assert picked(select(conn, RULE_CUSTOMERS, rule="top_share", top_share=0.4)) == [
        "C1",
        "C2",
        "C3",
    ]


def test_top_n_picks_the_best_n_and_never_an_unknown_score(conn):
    assert picked(select(conn, RULE_CUSTOMERS, rule="top_n", top_n=2)) == ["C1", "C2"]
    assert picked(select(conn, RULE_CUSTOMERS, rule="top_n", top_n=10)) == [
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
    ]


def test_each_reporting_date_is_ranked_and_selected_on_its_own(conn):
    """The quarter-end history scores every quarter-end in one call: ranks, list sizes and
    manager capacity count within a date, never across dates."""
    customers = [
        {"customer_id": "A1", "reporting_date": "2026-06-30", "revenue_size_value": 90},
        {"customer_id": "A2", "reporting_date": "2026-06-30", "revenue_size_value": 10},
        {"customer_id": "B1", "reporting_date": "2026-09-30", "revenue_size_value": 50},
        {"customer_id": "B2", "reporting_date": "2026-09-30", "revenue_size_value": 40},
    ]
    result = select(conn, customers, rule="top_n", top_n=1)
    assert result["score_rank"].to_dict() == {"A1": 1, "A2": 2, "B1": 1, "B2": 2}
    assert result["is_key_account_computed"].to_dict() == {"A1": True, "A2": False, "B1": True, "B2": False}
    assert set(result["active_customers"]) == {2}


def test_score_threshold_picks_every_score_at_or_above_the_minimum(conn):
    result = select(conn, RULE_CUSTOMERS, rule="score_threshold", min_score=60)
    assert picked(result) == ["C1", "C2", "C3", "C4"]


def test_manager_capacity_picks_each_managers_best_up_to_capacity(conn):
    result = select(conn, RULE_CUSTOMERS, rule="manager_capacity")
    # M1: C1 only (capacity 1). M2: C3, not C6 (no score). C4: no manager. C5: M3 has no capacity.
    assert picked(result) == ["C1", "C3"]
    assert result.loc[["C1", "C2", "C3", "C6"], "manager_rank"].tolist() == [1, 2, 1, 2]


# --- eligibility gates ---------------------------------------------------------------------------

# Revenue size alone weighs, so the score is the revenue size value.
GATE_CUSTOMERS = [
    # 12 months a customer: too short for a 24-month gate.
    {"customer_id": "G1", "revenue_size_value": 95, "tenure_months": 12},
    # 12 months, but the export cuts the tenure short: passes tenure; tier B fails the tier gate.
    {"customer_id": "G2", "revenue_size_value": 90, "tenure_months": 12,
     "is_tenure_censored": True, "revenue_tier": "B"},
    # Loses us money.
    {"customer_id": "G3", "revenue_size_value": 85, "contribution_t12m": -10},
    # Profit unknown: not excluded by the contribution gate.
    {"customer_id": "G4", "revenue_size_value": 80, "contribution_t12m": None},
    # Fails all three: the first gate, tenure, is named.
    {"customer_id": "G5", "revenue_size_value": 75, "tenure_months": 6, "revenue_tier": "C",
     "contribution_t12m": -5},
    # Exactly 24 months: passes.
    {"customer_id": "G6", "revenue_size_value": 70, "tenure_months": 24},
    {"customer_id": "G7", "revenue_size_value": 65},
    # Earns exactly nothing: not "positive".
    {"customer_id": "G8", "revenue_size_value": 60, "contribution_t12m": 0},
    # No revenue tier: outside any tier gate.
    {"customer_id": "G9", "revenue_size_value": 55, "revenue_tier": None},
    # Raises a mistake flag (an easy sell without growth, say).
    {"customer_id": "G10", "revenue_size_value": 50, "mistake_flags": 1},
]
BALANCED_GATES = {
    "min_tenure": 24, "tiers": "A", "positive_contribution": True, "no_mistake_flags": True,
}


def test_each_gate_names_the_first_gate_a_customer_fails(conn):
    result = select(conn, GATE_CUSTOMERS, rule="top_share", top_share=0.25, **BALANCED_GATES)
    assert gates(result) == {
        "G1": "min_tenure",
        "G2": "revenue_tier",
        "G3": "positive_contribution",
        "G4": None,
        "G5": "min_tenure",
        "G6": None,
        "G7": None,
        "G8": "positive_contribution",
        "G9": "revenue_tier",
        "G10": "mistake_flag",
    }


def test_an_excluded_customer_is_never_picked_and_the_list_keeps_its_length(conn):
    # 0.25 of 10 active customers = 2.5, so 3 accounts (not 0.25 of the 4 eligible ones = 1): the
    # best three eligible customers, past the better-scored excluded ones.
    result = select(conn, GATE_CUSTOMERS, rule="top_share", top_share=0.25, **BALANCED_GATES)
    assert (result["active_customers"] == 10).all()
    assert picked(result) == ["G4", "G6", "G7"]
    assert not result.loc[result["excluded_by_gate"].notna(), "is_key_account_computed"].any()
    # The score rank ignores the gates; the eligible rank puts the eligible customers first.
    assert result["score_rank"].to_dict() == {f"G{i}": i for i in range(1, 11)}
    assert result.sort_values("eligible_rank").index.tolist() == [
        "G4", "G6", "G7", "G1", "G2", "G3", "G5", "G8", "G9", "G10",
    ]

    # The other rules pick among the eligible only, too.
    assert picked(select(conn, GATE_CUSTOMERS, rule="top_n", top_n=8, **BALANCED_GATES)) == [
        "G4",
        "G6",
        "G7",
    ]
    assert picked(
        select(conn, GATE_CUSTOMERS, rule="score_threshold", min_score=66, **BALANCED_GATES)
    ) == ["G4", "G6"]
    # One manager with room for two: the best two eligible customers, not the best two.
    capacity_two = [{**customer, "capacity_accounts": 2} for customer in GATE_CUSTOMERS]
    assert picked(select(conn, capacity_two, rule="manager_capacity", **BALANCED_GATES)) == [
        "G4",
        "G6",
    ]


def test_without_gates_nobody_is_excluded(conn):
    for no_gates in (
        {},
        {"min_tenure": None, "tiers": "", "positive_contribution": False,
         "no_mistake_flags": False},
    ):
        result = select(conn, GATE_CUSTOMERS, rule="top_share", top_share=0.25, **no_gates)
        assert result["excluded_by_gate"].isna().all()
        assert picked(result) == ["G1", "G2", "G3"]
        assert (result["eligible_rank"] == result["score_rank"]).all()
    capacity_two = [{**customer, "capacity_accounts": 2} for customer in GATE_CUSTOMERS]
    assert picked(select(conn, capacity_two, rule="manager_capacity")) == ["G1", "G2"]


def test_each_gate_on_its_own(conn):
    def excluded(**gate) -> list[str]:
        result = select(conn, GATE_CUSTOMERS, rule="top_n", top_n=10, **gate)
        assert not result.loc[result["excluded_by_gate"].notna(), "is_key_account_computed"].any()
        return result[result["excluded_by_gate"].notna()].sort_values("score_rank").index.tolist()

    # A censored tenure (G2) passes; exactly the minimum (G6) passes.
    assert excluded(min_tenure=24) == ["G1", "G5"]
    assert excluded(min_tenure=0) == []
    # Tiers are letters, any case; no tier at all is outside.
    assert excluded(tiers="A") == ["G2", "G5", "G9"]
    assert excluded(tiers="ab") == ["G5", "G9"]
    # Losing money or earning exactly nothing; an unknown contribution (G4) passes.
    assert excluded(positive_contribution=True) == ["G3", "G5", "G8"]
    assert excluded(positive_contribution=False) == []
    # A customer raising a classic mistake flag.
    assert excluded(no_mistake_flags=True) == ["G10"]
    assert excluded(no_mistake_flags=False) == []
