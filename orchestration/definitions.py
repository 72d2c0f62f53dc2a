"""The Dagster code location: ingest → dbt → publish, a daily schedule and a new-file sensor.

Definitions are built on demand (no work at import), for the paths in KAM_LANDING_DIR,
KAM_WAREHOUSE and (for an export read through a column mapping) KAM_MAPPING, or for explicit
paths when the CLI or a test asks.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from orchestration.assets.checks import build_raw_checks
from orchestration.assets.dbt import build_dbt_assets
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publish import build_publish_asset
from orchestration.automation import build_daily_schedule, build_landing_sensor, build_refresh_job
from orchestration.resources import build_resources
from orchestration.warehouse import resolve_mapping, resolve_paths


def build_definitions(
    landing_dir: Path | None = None,
    warehouse: Path | None = None,
    loggers: dict[str, dg.LoggerDefinition] | None = None,
    mapping: Path | None = None,
) -> dg.Definitions:
    landing, published = resolve_paths(landing_dir, warehouse)
    dbt_models = build_dbt_assets()
    refresh_job = build_refresh_job()
    return dg.Definitions(
        assets=[*build_ingest_assets(), dbt_models, build_publish_asset([dbt_models])],
        asset_checks=build_raw_checks(),
        jobs=[refresh_job],
        schedules=[build_daily_schedule(refresh_job)],
        sensors=[build_landing_sensor(refresh_job)],
        resources=build_resources(landing, published, resolve_mapping(mapping)),
        # DuckDB allows one writing process per file: steps run one after another in one process.
        executor=dg.in_process_executor,
        loggers=loggers,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
