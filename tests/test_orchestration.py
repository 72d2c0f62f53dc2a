"""The Dagster code location: the whole graph, a full materialisation, the schedule and the sensor."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from loading.contract import ENTITIES
from orchestration.automation import REFRESH_JOB_NAME
from orchestration.definitions import build_definitions, defs
from orchestration.resources import WarehouseLayout, build_resources
from orchestration.runner import manifest_is_stale
from orchestration.warehouse import PROJECT_ROOT, work_path
from tests.support import MATERIALIZED_FILE


def loaded_counts(warehouse: Path) -> dict[str, int]:
    """Rows per raw table, in the working database beside `warehouse` (raw is not published)."""
    with duckdb.connect(str(work_path(warehouse)), read_only=True) as conn:
        return {
            name: conn.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0] for name in ENTITIES
        }


def landing_counts(landing: Path) -> dict[str, int]:
    counts = {}
    for name in ENTITIES:
        files = sorted((landing / name).glob("*.*"))
        counts[name] = sum(
            duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0][0] for path in files
        )
    return counts


def test_dg_serves_this_module_as_the_code_location_kam():
    # `kam dagster` runs `dg dev` in the project folder, which reads the location from pyproject.toml.
    from dagster_dg_core.context import DgContext

    context = DgContext.from_file_discovery_and_command_line_config(PROJECT_ROOT, {})
    assert context.is_project
    assert context.code_location_name == "kam"
    assert context.code_location_target_module_name == "orchestration.definitions"


def test_the_dbt_resource_starts_dbt_without_a_version_probe_or_an_adapter(tmp_path, monkeypatch):
    # DbtBuildResource overrides two private members of dagster-dbt's resource: if an upgrade
    # renames them, the overrides would silently stop saving the 7 s they save.
    import importlib.metadata

    from dagster_dbt import DbtCliResource
    from dagster_dbt.core import resource as dagster_dbt_resource

    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(dir(DbtCliResource))

    def no_subprocess(*args, **kwargs):
        raise AssertionError(f"dagster-dbt ran a subprocess before dbt: {args}")

    started = {}

    def record_run(**kwargs):
        started.update(kwargs)

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    monkeypatch.setattr(dagster_dbt_resource.DbtCliInvocation, "run", record_run)
    monkeypatch.setenv("KAM_WAREHOUSE", str(tmp_path / "w.duckdb"))
    dbt = build_resources(tmp_path / "landing", tmp_path / "w.duckdb")["dbt"]

    dbt.cli(["build"], target_path=tmp_path / "target")

    assert started["adapter"] is None
    assert str(started["cli_version"]) == importlib.metadata.version("dbt-core")
    assert started["args"][1:2] == ["build"]


def test_the_code_location_loads_with_the_whole_graph(tmp_path, monkeypatch):
    monkeypatch.setenv("KAM_WAREHOUSE", str(tmp_path / "w.duckdb"))
    graph = defs().resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}

    assert {f"raw/{name}" for name in ENTITIES} <= keys
    assert {"staging/stg_orders", "staging/stg_customers", "marts/customer_metrics"} <= keys
    assert "published_warehouse" in keys
    # dbt sources are the ingest assets, not separate external assets.
    stg_orders_parents = graph.get(dg.AssetKey(["staging", "stg_orders"])).parent_keys
    assert stg_orders_parents == {dg.AssetKey(["raw", "orders"])}


def test_the_refresh_job_materialises_every_asset_into_its_warehouse(demo_landing, demo_warehouse):
    # The session's demo warehouse is this run (tests/conftest.py); it is not run a second time.
    materialized = set(json.loads((demo_warehouse.parent / MATERIALIZED_FILE).read_text()))

    assert {"raw/orders", "marts/customer_metrics", "published_warehouse"} <= materialized
    assert loaded_counts(demo_warehouse) == landing_counts(demo_landing)
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        customers, revenue = conn.execute(
            "SELECT count(*), sum(revenue_lifetime) FROM marts.customer_metrics"
        ).fetchone()
    with duckdb.connect(str(work_path(demo_warehouse)), read_only=True) as conn:
        raw_revenue = conn.execute("SELECT sum(net_revenue) FROM raw.orders").fetchone()[0]
    assert customers == 1000
    assert revenue == raw_revenue


def test_a_second_run_on_the_same_files_changes_nothing(demo_landing, demo_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    shutil.copyfile(work_path(demo_warehouse), work_path(warehouse))
    before = loaded_counts(warehouse)

    result = build_definitions(demo_landing, warehouse).resolve_job_def(REFRESH_JOB_NAME).execute_in_process(
        instance=dg.DagsterInstance.ephemeral()
    )

    assert result.success
    ingest_rows = {
        event.asset_key.path[-1]: event.materialization.metadata["rows_loaded"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] == "raw" and event.asset_key.path[-1] in ENTITIES
    }
    assert ingest_rows == {name: 0 for name in ENTITIES}
    assert loaded_counts(warehouse) == before


def evaluate_schedule(landing: Path, warehouse: Path) -> tuple[dg.ScheduleDefinition, object]:
    schedule = build_definitions(landing, warehouse).resolve_schedule_def("daily_refresh")
    layout = WarehouseLayout(landing_dir=str(landing), warehouse_path=str(warehouse))
    with dg.build_schedule_context(resources={"layout": layout}) as context:
        return schedule, schedule.evaluate_tick(context)


def test_the_daily_schedule_runs_the_refresh_job_when_files_are_new(demo_landing, tmp_path):
    schedule, data = evaluate_schedule(demo_landing, tmp_path / "never_built.duckdb")

    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == REFRESH_JOB_NAME
    assert len(data.run_requests) == 1


def test_the_daily_schedule_skips_a_morning_with_nothing_new(landing_copy, demo_warehouse):
    _, data = evaluate_schedule(landing_copy, demo_warehouse)

    assert data.run_requests == []
    assert data.skip_message == (
        "Nothing new since the last publish: its 10 landing files, models and settings are unchanged."
    )

    # A file that arrives overnight makes the next morning's run.
    (landing_copy / "orders" / "orders_late.csv").write_text(
        "order_id,order_date,customer_id,product_id,quantity,net_revenue\n"
        "SO-LATE,2026-10-31,C000001,P00001,1,10.00\n"
    )
    _, data = evaluate_schedule(landing_copy, demo_warehouse)
    assert len(data.run_requests) == 1


def evaluate_sensor(landing: Path, warehouse: Path) -> dg.SensorResult | object:
    definitions = build_definitions(landing, warehouse)
    sensor = definitions.resolve_sensor_def("new_landing_files")
    layout = WarehouseLayout(landing_dir=str(landing), warehouse_path=str(warehouse))
    with dg.build_sensor_context(resources={"layout": layout}) as context:
        return sensor.evaluate_tick(context)


def test_the_sensor_requests_a_run_for_files_not_yet_loaded(demo_landing, tmp_path):
    data = evaluate_sensor(demo_landing, tmp_path / "never_built.duckdb")

    assert len(data.run_requests) == 1
    assert data.run_requests[0].job_name in (None, REFRESH_JOB_NAME)


def test_the_sensor_skips_files_already_loaded(demo_landing, demo_warehouse):
    data = evaluate_sensor(demo_landing, demo_warehouse)

    assert data.run_requests == []
    assert data.skip_message == "Every landing file is already loaded."


def test_the_sensor_requests_a_run_for_a_new_file_beside_loaded_ones(landing_copy, demo_warehouse):
    (landing_copy / "orders" / "orders_late.csv").write_text(
        "order_id,order_date,customer_id,product_id,quantity,net_revenue\n"
        "SO-LATE,2026-10-31,C000001,P00001,1,10.00\n"
    )

    first = evaluate_sensor(landing_copy, demo_warehouse)
    second = evaluate_sensor(landing_copy, demo_warehouse)

    assert len(first.run_requests) == 1
    # The same pending drop always carries the same run key, so Dagster starts it only once.
    assert first.run_requests[0].run_key == second.run_requests[0].run_key


def test_the_sensor_explains_a_missing_required_input(tmp_path):
    (tmp_path / "landing" / "orders").mkdir(parents=True)

    data = evaluate_sensor(tmp_path / "landing", tmp_path / "w.duckdb")

    assert data.run_requests == []
    assert "Required input" in data.skip_message


def test_the_manifest_is_parsed_again_after_a_model_is_edited_added_or_removed(tmp_path):
    project = tmp_path / "project"
    (project / "models" / "marts").mkdir(parents=True)
    (project / "dbt_project.yml").write_text("name: kam\n")
    model = project / "models" / "marts" / "a.sql"
    model.write_text("select 1 as a")
    manifest = project / "target" / "manifest.json"
    assert manifest_is_stale(manifest, project)  # never parsed

    def parse_after_everything() -> None:
        manifest.parent.mkdir(exist_ok=True)
        manifest.write_text("{}")
        newest = max(path.stat().st_mtime for path in project.rglob("*"))
        os.utime(manifest, (newest + 1, newest + 1))

    def touch_later(path: Path) -> None:
        later = manifest.stat().st_mtime + 1
        os.utime(path, (later, later))

    parse_after_everything()
    assert not manifest_is_stale(manifest, project)

    touch_later(model)
    assert manifest_is_stale(manifest, project)  # edited
    parse_after_everything()

    (project / "models" / "marts" / "b.sql").write_text("select 2 as b")
    touch_later(project / "models" / "marts" / "b.sql")
    assert manifest_is_stale(manifest, project)  # added
    parse_after_everything()

    model.unlink()
    touch_later(project / "models" / "marts")
    assert manifest_is_stale(manifest, project)  # removed: only its folder's time says so


def test_a_run_reads_its_mapping_and_bounds_once(tmp_path, monkeypatch):
    mapping = tmp_path / "superstore.yml"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "mappings" / "superstore.yml", mapping)
    layout = WarehouseLayout(
        landing_dir=str(tmp_path), warehouse_path=str(tmp_path / "w.duckdb"), mapping_path=str(mapping)
    )
    first_mapping, first_settings = layout.mapping, layout.rule_settings

    # Edited while the run goes: the steps still to come read as the first one did.
    mapping.write_text("not: [a mapping")
    monkeypatch.setenv("KAM_MAX_ABS_QUANTITY", "5")

    assert layout.mapping is first_mapping
    assert layout.rule_settings == first_settings
    assert layout.rule_settings.max_abs_quantity == 1_000_000
