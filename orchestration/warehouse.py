"""Where the warehouse lives, and how a finished run is published to its readers.

A run writes to a private working database and, only when every step succeeded, publishes it by
an atomic file replace. Readers (the dashboard, analysts) open the published file read-only: they
are never blocked by a run, never see half of one, and a failed run leaves them the last good
warehouse.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_LANDING_DIR = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_LOCK_WAIT_SECONDS = 600.0


def resolve_paths(landing_dir: Path | None = None, warehouse: Path | None = None) -> tuple[Path, Path]:
    """Explicit arguments win, then KAM_LANDING_DIR / KAM_WAREHOUSE, then the demo folders.

    Here rather than beside the Dagster resources, so the dashboard and the CLI find the
    warehouse without importing Dagster."""
    landing = landing_dir or Path(os.environ.get("KAM_LANDING_DIR", PROJECT_ROOT / DEFAULT_LANDING_DIR))
    published = warehouse or Path(os.environ.get("KAM_WAREHOUSE", PROJECT_ROOT / DEFAULT_WAREHOUSE))
    return landing.resolve(), published.resolve()


def resolve_mapping(mapping: Path | None = None) -> Path | None:
    """The column mapping to read the landing folder through: explicit, else KAM_MAPPING, else
    none (the landing folder is in the contract's own layout)."""
    configured = mapping or (Path(os.environ["KAM_MAPPING"]) if os.environ.get("KAM_MAPPING") else None)
    return configured.resolve() if configured else None


def configured_lock_wait_seconds() -> float:
    """How long a run waits for another process to let go of the warehouse before it gives up:
    KAM_LOCK_WAIT_SECONDS, else ten minutes."""
    configured = os.environ.get("KAM_LOCK_WAIT_SECONDS", "").strip()
    if not configured:
        return DEFAULT_LOCK_WAIT_SECONDS
    try:
        return float(configured)
    except ValueError:
        raise ValueError(
            f"KAM_LOCK_WAIT_SECONDS must be a number of seconds, not {configured!r}"
        ) from None


def work_path(warehouse: Path) -> Path:
    """The writer's private copy beside the published file: `warehouse.duckdb` → `warehouse.work.duckdb`."""
    return warehouse.with_name(f"{warehouse.stem}.work{warehouse.suffix or '.duckdb'}")


def dbt_target_path(warehouse: Path) -> Path:
    """dbt's target folder for the builds of this warehouse, kept from run to run: dbt then
    re-parses only the project files that changed (partial parsing) instead of all of them, which
    takes longer than many a day's build."""
    return warehouse.with_name(f".{warehouse.stem}.dbt")


def publish_staging_path(warehouse: Path) -> Path:
    """Where `publish` copies the working database before renaming it over the published file."""
    return warehouse.with_name(f".{warehouse.name}.publishing")


def publish(warehouse: Path) -> Path:
    """Copy the working database over the published one atomically; return the published path.

    The copy goes to a temporary file in the same folder first, so the final `os.replace` is a
    rename on one file system: a reader sees the old file or the new one, never a mix.
    """
    source = work_path(warehouse)
    if not source.exists():
        raise FileNotFoundError(f"No working database at {source}: nothing to publish.")
    # A checkpoint folds DuckDB's write-ahead log into the file, so the copy is complete.
    with duckdb.connect(str(source)) as conn:
        conn.execute("CHECKPOINT")
    staging = publish_staging_path(warehouse)
    shutil.copyfile(source, staging)
    with staging.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(staging, warehouse)
    return warehouse
