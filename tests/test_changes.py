"""What changed since the last publish (orchestration/changes.py): the landing files and the build's
own inputs, which decide whether a run has anything to do."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from demo.generator import generate
from loading.contract import ENTITIES
from loading.ingest import load_entity
from loading.mapping import load_mapping
from loading.rules import RuleSettings
from orchestration.changes import build_fingerprint, changes_since_publish, record_build_inputs

SETTINGS = RuleSettings()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    (project / "models").mkdir(parents=True)
    (project / "seeds").mkdir()
    (project / "target").mkdir()
    (project / "dbt_project.yml").write_text("name: kam\n")
    (project / "models" / "a.sql").write_text("select 1 as a")
    (project / "seeds" / "definitions.csv").write_text("name,weight\nbalanced,1\n")
    return project


def test_the_fingerprint_follows_models_seeds_settings_and_mapping_not_dbt_output(project):
    first = build_fingerprint(SETTINGS, None, project)
    assert build_fingerprint(SETTINGS, None, project) == first

    (project / "target" / "manifest.json").write_text("{}")
    assert build_fingerprint(SETTINGS, None, project) == first  # dbt's output, not its input

    (project / "seeds" / "definitions.csv").write_text("name,weight\nbalanced,2\n")
    reweighted = build_fingerprint(SETTINGS, None, project)
    assert reweighted != first

    (project / "models" / "b.sql").write_text("select 2 as b")
    with_a_model = build_fingerprint(SETTINGS, None, project)
    assert with_a_model != reweighted

    assert build_fingerprint(dataclasses.replace(SETTINGS, currency="USD"), None, project) != with_a_model
    mapping = load_mapping(Path(__file__).resolve().parents[1] / "mappings" / "superstore.yml")
    with_a_mapping = build_fingerprint(SETTINGS, mapping, project)
    assert with_a_mapping != with_a_model
    orders = mapping.entities["orders"]
    filtered = dataclasses.replace(orders, filters=(*orders.filters, "1 = 1"))
    edited = dataclasses.replace(mapping, entities={**mapping.entities, "orders": filtered})
    assert build_fingerprint(SETTINGS, edited, project) != with_a_mapping


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path]:
    """A small landing folder and a warehouse that loaded every file of it, as a publish leaves it."""
    summary = generate(tmp_path / "landing", customers=20, lines=200, seed=3)
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        for entity in ENTITIES:
            load_entity(conn, summary.landing_dir, entity)
        record_build_inputs(conn, build_fingerprint(SETTINGS, None))
    return summary.landing_dir, warehouse


def test_nothing_is_new_until_a_file_arrives_changes_or_goes(published):
    landing, warehouse = published
    files = sum(1 for path in landing.rglob("*") if path.is_file())

    unchanged = changes_since_publish(landing, warehouse, None, SETTINGS)
    assert unchanged.nothing_new
    assert unchanged.summary() == (
        f"nothing new since the last publish: its {files} landing files, models and settings are unchanged"
    )

    late = landing / "orders" / "orders_late.csv"
    shutil.copyfile(next((landing / "orders").glob("*.csv")), late)
    arrived = changes_since_publish(landing, warehouse, None, SETTINGS)
    assert [f.relative_path for f in arrived.new_or_changed] == ["orders/orders_late.csv"]
    assert arrived.summary() == "1 new or changed landing file(s)"
    late.unlink()

    customers = next((landing / "customers").glob("*.csv"))
    os.utime(customers, (customers.stat().st_atime, customers.stat().st_mtime + 60))
    assert changes_since_publish(landing, warehouse, None, SETTINGS).summary() == (
        "1 new or changed landing file(s)"
    )
    os.utime(customers, (customers.stat().st_atime, customers.stat().st_mtime - 60))
    service_costs = next((landing / "service_costs").glob("*.csv"))  # an optional input
    service_costs.unlink()
    gone = changes_since_publish(landing, warehouse, None, SETTINGS)
    assert gone.removed == [("service_costs", f"service_costs/{service_costs.name}")]
    assert gone.summary() == "1 removed landing file(s)"


def test_other_settings_than_the_published_build_had_are_something_new(published):
    landing, warehouse = published

    changes = changes_since_publish(
        landing, warehouse, None, dataclasses.replace(SETTINGS, max_abs_quantity=10)
    )

    assert not changes.nothing_new
    assert changes.summary() == "models or settings changed"


def test_a_first_run_says_there_is_no_warehouse_yet(published, tmp_path):
    landing, _ = published
    files = sum(1 for path in landing.rglob("*") if path.is_file())

    changes = changes_since_publish(landing, tmp_path / "none.duckdb", None, SETTINGS)

    assert not changes.nothing_new
    assert changes.summary() == f"no published warehouse yet: {files} landing file(s) to load"


def test_a_warehouse_from_before_build_records_is_built_again(published):
    landing, warehouse = published
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("drop table meta.build_inputs")

    assert changes_since_publish(landing, warehouse, None, SETTINGS).build_inputs_changed


def test_a_setting_left_at_its_default_or_set_to_the_same_value_builds_the_same(project, monkeypatch):
    # The fingerprint holds the settings' repr: a default of 1_000_000 beside an environment's
    # 1000000.0 would rebuild a 100M-line warehouse for nothing.
    for name in ("KAM_MAX_ABS_QUANTITY", "KAM_MAX_ABS_NET_REVENUE", "KAM_MAX_QUARANTINE_SHARE"):
        monkeypatch.delenv(name, raising=False)
    by_default = build_fingerprint(RuleSettings.from_environment(), None, project)
    monkeypatch.setenv("KAM_MAX_ABS_QUANTITY", "1000000")
    monkeypatch.setenv("KAM_MAX_ABS_NET_REVENUE", "100000000")
    monkeypatch.setenv("KAM_MAX_QUARANTINE_SHARE", "0.05")

    assert build_fingerprint(RuleSettings.from_environment(), None, project) == by_default
