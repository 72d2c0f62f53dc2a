"""The daily schedule and the new-file sensor that keep the warehouse current."""

import hashlib
from collections.abc import Iterable

import dagster as dg

from loading.ingest import IngestError, LandingFile
from orchestration.changes import changes_since_publish
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
    @dg.schedule(
        name="daily_refresh",
        job=job,
        cron_schedule="0 6 * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
    )
    def daily_refresh(context: dg.ScheduleEvaluationContext, layout: WarehouseLayout):
        """Refreshes the warehouse every morning, unless nothing arrived or changed since the last
        publish."""
        try:
            changes = changes_since_publish(
                layout.landing, layout.warehouse, layout.mapping, layout.rule_settings
            )
        except IngestError:
            # The run says what is wrong with the landing folder, in the run's own log.
            return dg.RunRequest(tags={"kam/trigger": "schedule"})
        if changes.nothing_new:
            return dg.SkipReason(changes.summary().capitalize() + ".")
        context.log.info(changes.summary())
        return dg.RunRequest(tags={"kam/trigger": "schedule"})

    return daily_refresh


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
            changes = changes_since_publish(
                layout.landing, layout.warehouse, layout.mapping, layout.rule_settings
            )
        except IngestError as exc:
            return dg.SkipReason(str(exc))
        pending, removed = changes.new_or_changed, changes.removed
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
