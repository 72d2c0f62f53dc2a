"""The dashboard's what-if scorer (dashboard/scoring.py) computes what the warehouse computes.

The scorecard has one implementation, the warehouse's table macro `scoring.key_account_selection`
(dbt_project/macros/create_scoring_macros.sql): int_scorecard_scores calls it for every shipped
definition, the what-if calls it with the weights, rule and gates a sales leader sets on the page.
These tests hold the what-if to that: it carries no copy of the formula; for every shipped
definition it reproduces marts.key_account_scorecard customer by customer (score, rank, each
attribute's weight and contribution, the gate that excluded it, is_key_account_computed); the
definitions' gates reach it; and for weights that are not shipped it agrees with an independent
implementation of the documented formula.
"""

from __future__ import annotations

import dataclasses
import inspect
import math

import duckdb
import pandas as pd
import pytest

from dashboard import scoring

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def conn(demo_warehouse):
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def run(conn):
    def execute(sql: str, params: tuple = ()) -> pd.DataFrame:
        return conn.execute(sql, list(params)).df()

    return execute


@pytest.fixture(scope="module")
def shipped(run) -> dict[str, scoring.Definition]:
    definitions = scoring.presets(run)
    names = run("select definition_name from config.scorecard_definitions", ())["definition_name"]
    assert set(definitions) == set(names) and len(definitions) >= 8
    return definitions


def _same(left, right) -> bool:
    left_missing = left is None or (isinstance(left, float) and math.isnan(left))
    right_missing = right is None or (isinstance(right, float) and math.isnan(right))
    if left_missing or right_missing:
        return left_missing and right_missing
    return abs(float(left) - float(right)) < TOLERANCE


def _published(run, name: str) -> pd.DataFrame:
    return run(
        "select * from marts.key_account_scorecard where definition_name = ? order by customer_id",
        (name,),
    )


def test_every_shipped_definition_scores_and_selects_as_the_warehouse(run, shipped):
    compared = 0
    for name, definition in shipped.items():
        published = _published(run, name)
        what_if = scoring.what_if_scores(definition, run)

        assert set(what_if["customer_id"]) == set(published["customer_id"]), name
        joined = published.merge(what_if, on="customer_id", suffixes=("", "_what_if")).set_index(
            "customer_id"
        )
        assert len(joined) == len(published)

        for left, right in zip(joined["score"], joined["score_what_if"]):
            assert _same(left, right), (name, left, right)
        for attribute in scoring.NAMES:
            for part in ("value", "weight", "contribution"):
                column = f"{attribute}_{part}"
                for left, right in zip(joined[column], joined[f"{column}_what_if"]):
                    assert _same(left, right), (name, column, left, right)

        assert (joined["score_rank"] == joined["score_rank_what_if"]).all(), name
        gate, gate_what_if = joined["excluded_by_gate"], joined["excluded_by_gate_what_if"]
        assert (gate.fillna("") == gate_what_if.fillna("")).all(), name
        mismatched = joined[
            joined["is_key_account_computed"] != joined["is_key_account_computed_what_if"]
        ]
        assert mismatched.empty, (name, mismatched.index.tolist()[:10])
        assert joined["is_key_account_computed"].sum() > 0, name
        compared += len(joined)
    assert compared > 0


def test_selected_only_returns_exactly_the_published_list_in_rank_order(run, shipped):
    for name, definition in shipped.items():
        published = run(
            "select customer_id from marts.key_account_scorecard "
            "where definition_name = ? and is_key_account_computed order by score_rank",
            (name,),
        )["customer_id"].tolist()
        picked = scoring.what_if_scores(
            definition,
            run,
            columns=["customer_id", "score_rank", "is_key_account_computed"],
            selected_only=True,
        )
        assert picked["customer_id"].tolist() == published, name


def test_the_what_if_calls_the_warehouse_macro_and_copies_no_formula():
    sql = scoring.what_if_sql()
    assert "scoring.key_account_selection(" in sql
    assert "'marts.scorecard_attributes'" in sql
    # 8 weights, the rule and its 3 parameters, 4 gates: every one a parameter.
    assert sql.count("?") == len(scoring.NAMES) + 4 + 4
    assert len(scoring.what_if_params(scoring.Definition("x", (1,) * 8))) == sql.count("?")
    source = inspect.getsource(scoring)
    for piece_of_the_formula in (
        "given_weight",
        "/ known_weight",
        "_contribution /",
        "row_number()",
        "ceiling(",
        "manager_rank <=",
        "tenure_months >=",
    ):
        assert piece_of_the_formula not in source, piece_of_the_formula


def test_the_shipped_gates_reach_the_what_if(run, shipped):
    configured = run(
        "select definition_name, gate_min_tenure_months, gate_revenue_tiers, "
        "gate_positive_contribution, gate_no_mistake_flags from config.scorecard_definitions",
        (),
    ).set_index("definition_name")
    for name, definition in shipped.items():
        row = configured.loc[name]
        tenure = row["gate_min_tenure_months"]
        assert definition.gate_min_tenure_months == (None if pd.isna(tenure) else int(tenure))
        assert "".join(definition.revenue_tiers) == (
            "" if pd.isna(row["gate_revenue_tiers"]) else row["gate_revenue_tiers"].upper()
        )
        positive = row["gate_positive_contribution"]
        assert definition.gate_positive_contribution == (False if pd.isna(positive) else positive)
        no_mistakes = row["gate_no_mistake_flags"]
        assert definition.gate_no_mistake_flags == (False if pd.isna(no_mistakes) else no_mistakes)
    assert shipped["balanced"].has_gates


def test_switching_off_balanceds_gates_changes_the_picks(run, shipped):
    balanced = shipped["balanced"]
    ungated = dataclasses.replace(
        balanced,
        gate_min_tenure_months=None,
        gate_revenue_tiers=None,
        gate_positive_contribution=False,
        gate_no_mistake_flags=False,
    )
    gated = scoring.what_if_scores(balanced, run).set_index("customer_id")
    open_ = scoring.what_if_scores(ungated, run).set_index("customer_id")

    # Gates decide who may be picked, not the score.
    assert ((gated["score"] - open_["score"]).abs().fillna(0) < TOLERANCE).all()
    assert open_["excluded_by_gate"].isna().all()
    excluded = gated["excluded_by_gate"].notna()
    assert excluded.any()
    assert set(gated.loc[excluded, "excluded_by_gate"]) <= set(scoring.GATES)
    assert not gated.loc[excluded, "is_key_account_computed"].any()

    picked_gated = set(gated.index[gated["is_key_account_computed"]])
    picked_open = set(open_.index[open_["is_key_account_computed"]])
    assert picked_gated != picked_open
    # Without gates balanced picks its best 4 % by score, among them customers a gate keeps out.
    assert picked_open & set(gated.index[excluded])
    # The list's length counts every active customer either way.
    assert len(picked_open) == math.ceil(balanced.top_share * len(open_) - 1e-9)
    assert len(picked_gated) == min(len(picked_open), int((~excluded).sum()))


def test_weights_are_relative_so_scaling_them_changes_nothing(run, shipped):
    balanced = shipped["balanced"]
    scaled = scoring.Definition("scaled", tuple(weight * 2.5 for weight in balanced.weights))
    one = scoring.what_if_scores(balanced, run).set_index("customer_id")["score"]
    other = scoring.what_if_scores(scaled, run).set_index("customer_id")["score"]
    assert ((one - other).abs() < TOLERANCE).all()


def _reference_scores(attributes: pd.DataFrame, weights: tuple[float, ...]) -> pd.Series:
    """The documented formula, written independently in pandas: scale the weights to 1; an unknown
    attribute's weight is shared among the customer's known ones in proportion to their weights."""
    total = sum(weights)
    scaled = [weight / total for weight in weights]
    values = attributes[[f"{name}_value" for name in scoring.NAMES]].to_numpy(dtype=float)
    scores = []
    for row in values:
        known = sum(weight for weight, value in zip(scaled, row) if not math.isnan(value))
        if known <= 0:
            scores.append(float("nan"))
            continue
        scores.append(
            sum(
                value * weight / known
                for weight, value in zip(scaled, row)
                if not math.isnan(value)
            )
        )
    return pd.Series(scores, index=attributes["customer_id"])


@pytest.mark.parametrize(
    "weights",
    [
        (3, 0, 0, 0, 1, 0, 4, 0),  # the worked example in docs/scorecard-and-definitions.md
        (0, 0, 0, 0, 0, 0, 1, 1),  # only the assessment: customers never assessed get no score
        (2, 1, 1, 1, 1, 1, 1, 1),
    ],
)
def test_custom_weights_follow_the_documented_formula(run, weights):
    attributes = run("select * from marts.scorecard_attributes", ())
    expected = _reference_scores(attributes, tuple(float(weight) for weight in weights))
    definition = scoring.Definition("custom", tuple(float(weight) for weight in weights))
    got = scoring.what_if_scores(definition, run).set_index("customer_id")["score"]

    assert set(got.index) == set(expected.index)
    for customer_id, score in expected.items():
        assert _same(got[customer_id], score), (customer_id, got[customer_id], score)
    if weights == (0, 0, 0, 0, 0, 0, 1, 1):
        assert got.isna().any() and got.notna().any()


def test_each_selection_rule_picks_what_it_says(run, shipped):
    weights = shipped["future_profit"].weights

    top_n = scoring.what_if_scores(scoring.Definition("n", weights, "top_n", None, 10), run)
    assert top_n.loc[top_n["is_key_account_computed"], "score_rank"].tolist() == list(range(1, 11))

    threshold = scoring.what_if_scores(
        scoring.Definition("t", weights, "score_threshold", None, None, 60.0), run
    )
    assert (threshold["is_key_account_computed"] == (threshold["score"] >= 60).fillna(False)).all()
    assert 0 < threshold["is_key_account_computed"].sum() < len(threshold)

    share = scoring.what_if_scores(scoring.Definition("s", weights, "top_share", 0.1), run)
    assert share["is_key_account_computed"].sum() == math.ceil(0.1 * len(share) - 1e-9)

    capacity = scoring.what_if_scores(
        scoring.Definition("c", weights, "manager_capacity", None), run
    )
    picked = capacity[capacity["is_key_account_computed"]]
    assert picked["account_manager_id"].notna().all()
    managed = capacity[capacity["capacity_accounts"].notna()]
    expected = managed.groupby("account_manager_id").apply(
        lambda group: min(len(group), int(group["capacity_accounts"].iloc[0])), include_groups=False
    )
    got = picked.groupby("account_manager_id").size().reindex(expected.index, fill_value=0)
    assert (got == expected).all()
    # Each manager's picks are their best-scored accounts.
    for _, group in managed.groupby("account_manager_id"):
        chosen = group[group["is_key_account_computed"]]["score"]
        rest = group[~group["is_key_account_computed"]]["score"].dropna()
        if len(chosen) and len(rest):
            assert chosen.min() >= rest.max()


def test_a_definition_needs_eight_non_negative_weights_and_a_known_rule():
    with pytest.raises(ValueError):
        scoring.Definition("short", (1.0, 1.0))
    with pytest.raises(ValueError):
        scoring.Definition("negative", (1, 1, 1, 1, 1, 1, 1, -1))
    with pytest.raises(ValueError):
        scoring.Definition("rule", (1,) * 8, selection_rule="biggest")
    with pytest.raises(ValueError):
        scoring.what_if_sql(columns=["customer_id; drop table x"])
    with pytest.raises(ValueError):
        scoring.Definition("tenure", (1,) * 8, gate_min_tenure_months=-1)
    with pytest.raises(ValueError):
        scoring.Definition("tiers", (1,) * 8, gate_revenue_tiers="AD")
