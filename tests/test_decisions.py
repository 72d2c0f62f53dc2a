"""The review-decisions store (loading/decisions.py): validation, concurrent writers, the latest
decision winning, where the store lives, and how a run takes the decisions into its raw layer,
checks them and notices new ones."""

from __future__ import annotations

import multiprocessing
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from expectations.settings import QualitySettings
from expectations.validate import validate_entity
from loading.contract import ENTITIES
from loading.decisions import (
    DECISIONS_SCHEMA,
    LATEST_DECISIONS_SCHEMA,
    REVIEW_TOPICS,
    InvalidDecision,
    decisions_path,
    latest_decisions,
    read_decisions,
    record_decision,
)
from loading.ingest import load_entity, load_review_decisions
from loading.rules import RuleSettings
from orchestration.assets.checks import CHECK_NAME, build_raw_checks, failure_text
from orchestration.assets.ingest import build_review_decisions_asset, raw_asset_key
from orchestration.build_plan import plan_build, record_models_built_from
from orchestration.changes import build_fingerprint, changes_since_publish, record_build_inputs
from orchestration.resources import WarehouseLayout, WorkingDatabase
from orchestration.warehouse import work_path
from tests.support import write

SETTINGS = RuleSettings()
DECISION = {
    "customer_id": "C1",
    "topic": "exit_candidate",
    "owner": "Ann Owner",
    "next_review_on": date(2026, 3, 31),
    "note": "two periods below plan",
    "decided_by": "Sam Lead",
}
WRITERS = 8
DECISIONS_PER_WRITER = 25


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder / "warehouse.duckdb"


@pytest.fixture
def store(warehouse: Path) -> Path:
    return decisions_path(warehouse)


def test_the_store_lives_beside_the_warehouse_never_inside_it(warehouse, store):
    assert store == warehouse.parent / "warehouse.decisions.sqlite"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("CREATE TABLE kept AS SELECT 1 AS a")
    published = warehouse.read_bytes()

    record_decision(store, **DECISION)
    read_decisions(store)
    latest_decisions(store)

    assert warehouse.read_bytes() == published
    # The store and SQLite's write-ahead log and shared memory beside it; nothing of DuckDB's.
    assert {path.name for path in warehouse.parent.iterdir()} <= {
        "warehouse.duckdb", store.name, f"{store.name}-wal", f"{store.name}-shm"
    }
    assert store.is_file()


def test_a_missing_store_reads_as_no_decisions_and_is_not_created(store):
    decisions = read_decisions(store)
    latest = latest_decisions(store)

    assert decisions.num_rows == 0 and decisions.schema == DECISIONS_SCHEMA
    assert latest.num_rows == 0 and latest.schema == LATEST_DECISIONS_SCHEMA
    assert not store.exists()
    assert list(store.parent.iterdir()) == []


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("customer_id", "  ", "customer_id must not be blank"),
        ("owner", "", "owner must not be blank"),
        ("decided_by", None, "decided_by must be text"),
        ("topic", "maybe_later", "topic must be one of exit_candidate, big_but_unprofitable"),
        ("next_review_on", "2026-03-31", "next_review_on must be a date, not str"),
        ("next_review_on", datetime(2026, 3, 31, 9), "next_review_on must be a date, not datetime"),
        ("note", "a NUL\x00 byte", "note must not hold control characters"),
    ],
)
def test_an_invalid_decision_is_refused_naming_its_field_and_writes_nothing(
    store, field, value, message
):
    with pytest.raises(ValueError, match=message) as refused:
        record_decision(store, **{**DECISION, field: value})

    assert isinstance(refused.value, InvalidDecision)
    assert not store.exists()


def test_a_decision_is_recorded_as_given_with_the_time_the_store_gave_it(store):
    before = datetime.now(UTC).replace(microsecond=0)
    decision = record_decision(store, **{**DECISION, "owner": "  Ann Owner ", "note": "  "})
    after = datetime.now(UTC)

    assert (decision.decision_id, decision.owner, decision.note) == (1, "Ann Owner", None)
    assert before <= decision.decided_at <= after
    assert decision.decided_at.tzinfo == UTC
    [row] = read_decisions(store).to_pylist()
    assert row == {
        "decision_id": 1, "customer_id": "C1", "topic": "exit_candidate", "owner": "Ann Owner",
        "next_review_on": "2026-03-31", "note": None, "decided_by": "Sam Lead",
        "decided_at": decision.decided_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def test_the_latest_decision_wins_and_the_history_is_kept(store):
    first = record_decision(store, **DECISION)
    other_topic = record_decision(store, **{**DECISION, "topic": "tomorrows_oak", "owner": "Bo"})
    latest = record_decision(
        store, **{**DECISION, "owner": "Cleo", "next_review_on": date(2026, 6, 30), "note": None}
    )

    in_force = {
        (row["customer_id"], row["topic"]): row for row in latest_decisions(store).to_pylist()
    }
    assert set(in_force) == {("C1", "exit_candidate"), ("C1", "tomorrows_oak")}
    def summary(row: dict) -> tuple:
        return tuple(row[name] for name in (
            "decision_id", "owner", "next_review_on", "note", "decisions_recorded"
        ))

    assert summary(in_force["C1", "exit_candidate"]) == (
        latest.decision_id, "Cleo", "2026-06-30", None, 2
    )
    assert summary(in_force["C1", "tomorrows_oak"]) == (
        other_topic.decision_id, "Bo", "2026-03-31", "two periods below plan", 1
    )
    assert read_decisions(store).column("decision_id").to_pylist() == [
        first.decision_id, other_topic.decision_id, latest.decision_id
    ]
    # Append-only in the file itself, not only in this module: nothing is updated or deleted.
    with sqlite3.connect(store) as conn:
        for statement in ("UPDATE review_decisions SET owner = 'X'",
                          "DELETE FROM review_decisions"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                conn.execute(statement)
    assert read_decisions(store).num_rows == 3


def _record_many(store: str, writer: int, start) -> None:
    """One of several processes writing at once: waits for the others, then records its share."""
    start.wait()
    for number in range(DECISIONS_PER_WRITER):
        record_decision(
            Path(store),
            customer_id=f"C{writer:02d}{number:03d}",
            topic=REVIEW_TOPICS[number % len(REVIEW_TOPICS)],
            owner=f"owner {writer}",
            next_review_on=date(2026, 1, 1 + number),
            note=None,
            decided_by=f"writer {writer}",
        )


def test_concurrent_writers_from_several_processes_lose_nothing(store):
    context = multiprocessing.get_context("fork")
    start = context.Barrier(WRITERS)
    writers = [
        context.Process(target=_record_many, args=(str(store), writer, start))
        for writer in range(WRITERS)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=120)

    assert [process.exitcode for process in writers] == [0] * WRITERS
    decisions = read_decisions(store)
    assert decisions.num_rows == WRITERS * DECISIONS_PER_WRITER == 200
    ids = decisions.column("decision_id").to_pylist()
    assert sorted(set(ids)) == list(range(1, 201))
    assert set(decisions.column("customer_id").to_pylist()) == {
        f"C{writer:02d}{number:03d}"
        for writer in range(WRITERS) for number in range(DECISIONS_PER_WRITER)
    }
    with sqlite3.connect(f"{store.resolve().as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def _resources(warehouse: Path) -> dict[str, object]:
    layout = WarehouseLayout(
        landing_dir=str(warehouse.parent / "landing"), warehouse_path=str(warehouse)
    )
    return {"layout": layout, "working_database": WorkingDatabase(path=str(work_path(warehouse)))}


def test_a_run_loads_every_decision_into_the_raw_layer_and_checks_them(warehouse, store):
    """The run's own asset and blocking check (no dbt, no publish): the store beside the
    warehouse the run was given, copied whole into raw.review_decisions of its working database."""
    decisions_check = next(
        check for check in build_raw_checks()
        if raw_asset_key("review_decisions") in {key.asset_key for key in check.check_keys}
    )

    def run() -> dg.ExecuteInProcessResult:
        return dg.materialize(
            [build_review_decisions_asset(), decisions_check],
            resources=_resources(warehouse),
            instance=dg.DagsterInstance.ephemeral(),
        )

    # No store yet: an empty table, and no store created.
    empty = run()
    assert empty.success
    with duckdb.connect(str(work_path(warehouse)), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM raw.review_decisions").fetchall() == [(0,)]
    assert not store.exists()

    record_decision(store, **DECISION)
    record_decision(store, **{**DECISION, "owner": "Cleo"})
    result = run()

    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert (evaluation.check_name, evaluation.passed) == (CHECK_NAME, True)
    [materialization] = result.get_asset_materialization_events()
    assert materialization.materialization.metadata["decisions"].value == 2
    with duckdb.connect(str(work_path(warehouse)), read_only=True) as conn:
        rows = conn.execute(
            "SELECT decision_id, customer_id, topic, owner, _source_file, _source_row "
            "FROM raw.review_decisions ORDER BY decision_id"
        ).fetchall()
    assert rows == [
        (1, "C1", "exit_candidate", "Ann Owner", "warehouse.decisions.sqlite", 1),
        (2, "C1", "exit_candidate", "Cleo", "warehouse.decisions.sqlite", 2),
    ]


def test_decisions_written_around_the_store_fail_the_blocking_check(warehouse, store):
    record_decision(store, **DECISION)
    # What record_decision refuses, written straight into the file.
    with sqlite3.connect(store) as conn:
        conn.executemany(
            "INSERT INTO review_decisions (customer_id, topic, owner, next_review_on, note, "
            "decided_by, decided_at) VALUES (?, ?, 'Ann', ?, NULL, 'Sam', ?)",
            [
                (" ", "exit_candidate", "2026-01-01", "2025-06-30T14:05:09Z"),
                ("C2", "maybe_later", "2026-01-01", "2025-06-30T14:05:09Z"),
                ("C3", "tomorrows_oak", "2026-02-30", "2025-06-30T14:05:09Z"),
                ("C4", "tomorrows_oak", "31/03/2026", "2025-06-30T14:05:09Z"),
                ("C5", "tomorrows_oak", "2026-01-01", "yesterday"),
            ],
        )
    with duckdb.connect(str(work_path(warehouse))) as conn:
        load_review_decisions(conn, store)
        validation = validate_entity(conn, "review_decisions", QualitySettings(rules=SETTINGS))

    failed = {(o.rule, o.column): o.unexpected_count for o in validation.blocking_failures}
    assert failed == {
        ("missing_required_value", "customer_id"): 1,
        ("unknown_review_topic", "topic"): 1,
        ("next_review_not_a_date", "next_review_on"): 2,
        ("decided_at_not_a_timestamp", "decided_at"): 1,
    }
    text = failure_text(validation, warehouse.parent / "report.html", store=store)
    assert f"to the decisions store {store}" in text
    assert "_source_row is their decision_id" in text


def _published(warehouse: Path, landing: Path) -> None:
    """What a successful run leaves: the landing files and the decisions store loaded, the build
    recorded, published (the working database copied over the published file)."""
    with duckdb.connect(str(warehouse)) as conn:
        for entity in ENTITIES:
            load_entity(conn, landing, entity)
        load_review_decisions(conn, decisions_path(warehouse))
        fingerprint = build_fingerprint(SETTINGS, None)
        record_build_inputs(conn, fingerprint)
        plan_build(conn, fingerprint, full_refresh=False)  # as the dbt step does, before it builds
        record_models_built_from(conn, fingerprint)


def test_a_recorded_decision_is_something_new_for_the_next_run_without_a_full_rebuild(
    warehouse, store
):
    landing = warehouse.parent / "landing"
    write(landing / "customers" / "customers.csv", "customer_id,customer_name\nC1,Acme\n")
    write(landing / "orders" / "orders.csv",
          "order_id,order_date,customer_id,product_id,quantity,net_revenue\n"
          "SO1,2025-01-05,C1,P1,2,200.00\n")
    _published(warehouse, landing)
    assert changes_since_publish(landing, warehouse, None, SETTINGS).nothing_new

    record_decision(store, **DECISION)

    changes = changes_since_publish(landing, warehouse, None, SETTINGS)
    assert not changes.nothing_new
    assert changes.decisions_changed and not changes.build_inputs_changed
    assert changes.summary() == "review decisions recorded"
    # The decisions feed no line-level model: the day's build still adds lines, not rebuilds.
    with duckdb.connect(str(warehouse)) as conn:
        load_review_decisions(conn, store)
        plan = plan_build(conn, build_fingerprint(SETTINGS, None), full_refresh=False)
    assert not plan.full_refresh
    # Once a run loaded and published them, there is nothing new again.
    assert changes_since_publish(landing, warehouse, None, SETTINGS).nothing_new
