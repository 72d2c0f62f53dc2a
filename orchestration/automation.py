"""The daily schedule and the new-file sensor that keep the warehouse current."""

import hashlib
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import duckdb

from loading.ingest import LEDGER_TABLE, IngestError, LandingFile, discover_all_landing_files
from orchestration.resources import WarehouseLayout

REFRESH_JOB_NAME = "refresh_warehouse"


def build_refresh_job():
    return dg.define_asset_job(
        REFRESH_JOB_NAME,
        selection=dg.AssetSelection.all(),
        description="Load new landing files, rebuild every model and publish the warehouse.",
    )


def build_daily_schedule(job) -> dg.ScheduleDefinition:
    # 06:00 UTC: after overnight ERP exports land, before sales leaders open the dashboard.
    return dg.ScheduleDefinition(
        name="daily_refresh",
        job=job,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )


def loaded_file_versions(warehouse: Path) -> set[tuple[str, str, int, float]]:
    """(entity, relative path, size, modified time) of every file the published warehouse has
    loaded.

    Reads the published file, never the working one, so the sensor does not contend with a run.
    """
    if not warehouse.exists():
        return set()
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        has_ledger = conn.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'meta' AND table_name = 'load_ledger'"
        ).fetchone()[0]
        if not has_ledger:
            return set()
        rows = conn.execute(
            f"SELECT entity, relative_path, size_bytes, modified_at FROM {LEDGER_TABLE}"
        )
        return {(entity, path, size, modified) for entity, path, size, modified in rows.fetchall()}


def unloaded_files(
    landing_files: Iterable[LandingFile], loaded: set[tuple[str, str, int, float]]
) -> list[LandingFile]:
    """Landing files that are new or changed since the published warehouse loaded them."""
    return [
        f
        for f in landing_files
        if (f.entity, f.relative_path, f.size_bytes, f.modified_at) not in loaded
    ]


def removed_files(
    landing_files: Iterable[LandingFile], loaded: set[tuple[str, str, int, float]]
) -> list[tuple[str, str]]:
    """(entity, relative path) of the files the published warehouse loaded that are no longer
    landing files: the next run takes their rows out."""
    present = {(f.entity, f.relative_path) for f in landing_files}
    return sorted({(entity, path) for entity, path, _, _ in loaded} - present)


def run_key_for(files: Iterable[LandingFile], removed: Iterable[tuple[str, str]] = ()) -> str:
    """One key per set of file versions (and of removed files), so the same drop or the same
    removal never starts two runs."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.relative_path):
        digest.update(f"{f.relative_path}|{f.size_bytes}|{f.modified_at}\n".encode())
    for entity, path in sorted(removed):
        digest.update(f"removed|{entity}|{path}\n".encode())
    return digest.hexdigest()[:32]


def _some(names: list[str]) -> str:
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return ", ".join(names[:5]) + more


def build_landing_sensor(job) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_landing_files",
        job=job,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def new_landing_files(context: dg.SensorEvaluationContext, layout: WarehouseLayout):
        """Starts a refresh when a landing file appears, changes or is removed."""
        try:
            landing_files = discover_all_landing_files(layout.landing, layout.mapping)
        except IngestError as exc:
            return dg.SkipReason(str(exc))
        loaded = loaded_file_versions(layout.warehouse)
        pending = unloaded_files(landing_files, loaded)
        removed = removed_files(landing_files, loaded)
        if not pending and not removed:
            return dg.SkipReason("Every landing file is already loaded.")
        if pending:
            names = list(dict.fromkeys(f.relative_path for f in pending))
            context.log.info(f"New or changed landing files: {_some(names)}")
        if removed:
            names = list(dict.fromkeys(path for _, path in removed))
            context.log.info(f"Landing files removed since the last publish: {_some(names)}")
        return dg.RunRequest(
            run_key=run_key_for(pending, removed),
            tags={"kam/trigger": "new_files" if pending else "removed_files"},
        )

    return new_landing_files
