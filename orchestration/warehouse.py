"""Where the warehouse lives, and how a finished run is published to its readers.

A run writes to a private working database and, only when every step succeeded, publishes what
readers read (`PUBLISHED_SCHEMAS`) as a new file that replaces the published one atomically.
Readers (the dashboard, analysts) open the published file read-only: they are never blocked by a
run, never see half of one, and a failed run leaves them the last good warehouse. The line-level
layers (raw, staging, intermediate) stay in the working database beside it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
DEFAULT_LANDING_DIR = Path("data/landing")
DEFAULT_WAREHOUSE = Path("data/warehouse.duckdb")
DEFAULT_LOCK_WAIT_SECONDS = 600.0
# What readers are given, each schema with every table, view and macro in it: the marts (the
# dashboard and analysts), the load ledger, quarantine and build records (meta), the definitions
# seed (config), the scorecard's history (snapshots) and the scorecard's table macro that the
# dashboard's what-if calls (scoring). Besides these the published file holds the macros of `main`.
# The line-level layers are the bulk of the working database and no reader reads them: publishing
# them would copy every order line on every run.
PUBLISHED_SCHEMAS = ("marts", "meta", "config", "snapshots", "scoring")


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
    """Where `publish` writes the new published file before renaming it over the published one."""
    return warehouse.with_name(f".{warehouse.name}.publishing")


def publish(warehouse: Path) -> Path:
    """Publish the reader schemas of the working database atomically; return the published path.

    The new file is written beside the published one first, so the final `os.replace` is a
    rename on one file system: a reader sees the old file or the new one, never a mix. A failure
    on the way leaves the published file as it was and removes the half-written one.
    """
    source = work_path(warehouse)
    if not source.exists():
        raise FileNotFoundError(f"No working database at {source}: nothing to publish.")
    staging = publish_staging_path(warehouse)
    # What a publish that died left: its file, and perhaps a write-ahead log that DuckDB would
    # replay into the new file of the same name.
    _remove_database(staging)
    try:
        with _new_database_from(source, staging) as conn:
            _drop_unpublished(conn)
            _copy_published_rows(conn)
        with staging.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(staging, warehouse)
    except BaseException:
        _remove_database(staging)
        raise
    return warehouse


def write_dictionary_database(warehouse: Path, target: Path) -> None:
    """What `dbt docs generate` reads of the warehouse, as a new database at `target`: every
    table, view and macro with its comments, the line-level layers' from the working database
    beside `warehouse` (the published file alone where there is none), and the rows of the
    published schemas, which some models read as dbt compiles them; not one order line."""
    source = work_path(warehouse)
    with _new_database_from(source if source.exists() else warehouse, target) as conn:
        _copy_published_rows(conn)


@contextlib.contextmanager
def _new_database_from(source: Path, target: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to `source`, attached read-only as `source`, and to a new database at `target`,
    attached as `target`, that holds every definition of `source` and no row yet.

    Every definition as `source` holds it: column types and defaults, NOT NULL, CHECK and key
    constraints, table, view and column comments, and macros with their overloads and parameter
    defaults (which duckdb_functions() does not give back). `target` is closed on leaving, which
    folds its write-ahead log into it: the file alone is the whole database."""
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH {_sql_string(source)} AS source (READ_ONLY)")
        conn.execute(f"ATTACH {_sql_string(target)} AS target")
        conn.execute("COPY FROM DATABASE source TO target (SCHEMA)")
        yield conn
        conn.execute("DETACH target")


def _drop_unpublished(conn: duckdb.DuckDBPyConnection) -> None:
    """Drop from `target` what readers are not given: DuckDB copies no subset of schemas. `main`
    cannot be dropped, so its tables and views are, and its macros stay."""
    for (schema,) in conn.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'target' "
        "AND NOT internal AND NOT list_contains(?, schema_name)",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall():
        conn.execute(f"DROP SCHEMA {_qualified('target', schema)} CASCADE")
    for kind, name in conn.execute(
        "SELECT 'VIEW', view_name FROM duckdb_views() "
        "WHERE database_name = 'target' AND schema_name = 'main' AND NOT internal "
        "UNION ALL SELECT 'TABLE', table_name FROM duckdb_tables() "
        "WHERE database_name = 'target' AND schema_name = 'main'"
    ).fetchall():
        conn.execute(f"DROP {kind} {_qualified('target', 'main', name)}")
    # DuckDB drops a schema without the views of other schemas that read it: a published view
    # that reads an unpublished table fails the publish here rather than a reader later.
    for schema, view in conn.execute(
        "SELECT schema_name, view_name FROM duckdb_views() "
        "WHERE database_name = 'target' AND NOT internal"
    ).fetchall():
        conn.execute(f"SELECT * FROM {_qualified('target', schema, view)} LIMIT 0")


def _copy_published_rows(conn: duckdb.DuckDBPyConnection) -> None:
    """Fill the tables of the published schemas in `target` from `source`, in one transaction:
    time and room that grow with those tables, not with the line-level ones."""
    tables = conn.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = 'target' AND list_contains(?, schema_name)",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    conn.execute("BEGIN")
    for schema, table in tables:
        conn.execute(
            f"INSERT INTO {_qualified('target', schema, table)} "
            f"SELECT * FROM {_qualified('source', schema, table)}"
        )
    conn.execute("COMMIT")


def _qualified(*names: str) -> str:
    """`target.marts.customer_metrics`, each part quoted as an SQL identifier."""
    return ".".join('"' + name.replace('"', '""') + '"' for name in names)


def _sql_string(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _remove_database(path: Path) -> None:
    """Remove a DuckDB file and its write-ahead log, where they are."""
    path.unlink(missing_ok=True)
    path.with_name(f"{path.name}.wal").unlink(missing_ok=True)
