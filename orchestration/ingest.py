"""Loading landing files into the `raw` schema, with a ledger that makes re-runs idempotent.

Pure functions over a DuckDB connection, so the Dagster assets, the CLI and the tests share one
implementation. Each entity loads inside one transaction: a failure leaves its raw table and the
ledger exactly as they were.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.contract import ENTITIES, LANDING_SUFFIXES, Entity

RAW_SCHEMA = "raw"
META_SCHEMA = "meta"
LEDGER_TABLE = f"{META_SCHEMA}.load_ledger"
_CHECKSUM_CHUNK_BYTES = 8 * 1024 * 1024


class IngestError(Exception):
    """A landing problem a data engineer must fix; the message names the file and the rule."""


@dataclass(frozen=True)
class LandingFile:
    entity: str
    path: Path
    relative_path: str
    size_bytes: int
    modified_at: float


@dataclass
class EntityLoadResult:
    entity: str
    files_seen: int = 0
    files_loaded: list[str] = field(default_factory=list)
    files_replaced: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    rows_loaded: int = 0
    rows_in_table: int = 0


def discover_landing_files(landing_dir: Path, entity: Entity) -> list[LandingFile]:
    """The entity's landing files (`<landing>/<entity>/*.csv|*.parquet`), in name order."""
    if not landing_dir.is_dir():
        raise IngestError(f"Landing folder {landing_dir} does not exist or is not a folder.")
    entity_dir = landing_dir / entity.name
    paths = (
        sorted(p for p in entity_dir.iterdir() if p.is_file() and p.suffix.lower() in LANDING_SUFFIXES)
        if entity_dir.is_dir()
        else []
    )
    if not paths and entity.required_file:
        raise IngestError(
            f"Required input '{entity.name}' is missing: no .csv or .parquet file in {entity_dir}."
        )
    files = []
    for path in paths:
        stat = path.stat()
        files.append(
            LandingFile(
                entity=entity.name,
                path=path.resolve(),
                relative_path=path.relative_to(landing_dir).as_posix(),
                size_bytes=stat.st_size,
                modified_at=stat.st_mtime,
            )
        )
    return files


def discover_all_landing_files(landing_dir: Path) -> list[LandingFile]:
    return [f for entity in ENTITIES.values() for f in discover_landing_files(landing_dir, entity)]


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHECKSUM_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def raw_table(entity: Entity) -> str:
    return f"{RAW_SCHEMA}.{entity.name}"


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables and the ledger if they do not exist (empty tables for absent inputs,
    so downstream models always find their sources)."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {META_SCHEMA}")
    conn.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} (
            entity VARCHAR NOT NULL,
            relative_path VARCHAR NOT NULL,
            absolute_path VARCHAR NOT NULL,
            size_bytes BIGINT NOT NULL,
            modified_at DOUBLE NOT NULL,
            checksum VARCHAR NOT NULL,
            rows BIGINT NOT NULL,
            loaded_at TIMESTAMP NOT NULL,
            PRIMARY KEY (entity, relative_path)
        )
        """
    )
    for entity in ENTITIES.values():
        columns = ", ".join(f"{c.name} {c.duckdb_type}" for c in entity.columns)
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {raw_table(entity)} ({columns}, "
            "_source_file VARCHAR NOT NULL, _source_row BIGINT NOT NULL, "
            "_loaded_at TIMESTAMP NOT NULL)"
        )


def _read_file_sql(path: Path) -> str:
    """A relation over the file's rows, all columns as text plus the 1-based data row number.

    Text first, so a bad value is reported with its file, row and column instead of failing the
    reader somewhere inside DuckDB.
    """
    literal = str(path).replace("'", "''")
    if path.suffix.lower() == ".parquet":
        return (
            f"SELECT * EXCLUDE (file_row_number), file_row_number + 1 AS _source_row "
            f"FROM read_parquet('{literal}', file_row_number = true)"
        )
    return (
        f"SELECT *, row_number() OVER () AS _source_row "
        f"FROM read_csv('{literal}', header = true, all_varchar = true)"
    )


def _stage_file(conn: duckdb.DuckDBPyConnection, landing_file: LandingFile) -> list[str]:
    """Read the file once into the temporary table `_landing`; return its column names."""
    try:
        conn.execute(
            f"CREATE OR REPLACE TEMP TABLE _landing AS {_read_file_sql(landing_file.path)}"
        )
    except duckdb.Error as exc:
        raise IngestError(f"{landing_file.path}: cannot be read ({exc}).") from exc
    columns = conn.sql("SELECT * FROM _landing LIMIT 0").columns
    return [c for c in columns if c != "_source_row"]


def _check_values(
    conn: duckdb.DuckDBPyConnection, landing_file: LandingFile, entity: Entity, present: set[str]
) -> None:
    """Raise on the first value that does not fit its contract type, or a missing required value.

    One scan computes, per column, the first offending row.
    """
    checks = []
    for column in entity.columns:
        if column.name not in present:
            continue
        not_castable = f"TRY_CAST({column.name} AS {column.duckdb_type}) IS NULL"
        if column.required:
            violation = f"{column.name} IS NULL OR {not_castable}"
            rule = f"is required and must be a {column.duckdb_type}"
        else:
            violation = f"{column.name} IS NOT NULL AND {not_castable}"
            rule = f"must be a {column.duckdb_type}"
        checks.append((column.name, rule, violation))
    if not checks:
        return
    first_bad_rows = conn.execute(
        "SELECT "
        + ", ".join(f"min(_source_row) FILTER (WHERE {violation})" for _, _, violation in checks)
        + " FROM _landing"
    ).fetchone()
    for (name, rule, _), row in zip(checks, first_bad_rows):
        if row is not None:
            value = conn.execute(
                f"SELECT {name} FROM _landing WHERE _source_row = ?", [row]
            ).fetchone()[0]
            raise IngestError(
                f"{landing_file.path}, row {row}, column '{name}': value {value!r} {rule}."
            )


def load_entity(
    conn: duckdb.DuckDBPyConnection, landing_dir: Path, entity_name: str
) -> EntityLoadResult:
    """Load the entity's new or changed landing files into its raw table, in one transaction.

    A file already in the ledger with the same checksum is skipped; a file whose checksum changed
    replaces the rows it loaded before. Files that disappeared from the landing folder keep their
    rows: landing folders are often cleaned after loading.
    """
    entity = ENTITIES[entity_name]
    files = discover_landing_files(landing_dir, entity)
    result = EntityLoadResult(entity=entity.name, files_seen=len(files))
    ensure_raw_schema(conn)
    conn.execute("BEGIN TRANSACTION")
    try:
        for landing_file in files:
            _load_file(conn, entity, landing_file, result)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    result.rows_in_table = conn.execute(f"SELECT count(*) FROM {raw_table(entity)}").fetchone()[0]
    return result


def _load_file(
    conn: duckdb.DuckDBPyConnection,
    entity: Entity,
    landing_file: LandingFile,
    result: EntityLoadResult,
) -> None:
    checksum = file_checksum(landing_file.path)
    previous = conn.execute(
        f"SELECT checksum FROM {LEDGER_TABLE} WHERE entity = ? AND relative_path = ?",
        [entity.name, landing_file.relative_path],
    ).fetchone()
    if previous and previous[0] == checksum:
        result.files_unchanged.append(landing_file.relative_path)
        return

    present = set(_stage_file(conn, landing_file))
    missing = [name for name in entity.required_columns if name not in present]
    if missing:
        raise IngestError(
            f"{landing_file.path}: required column(s) {', '.join(missing)} missing "
            f"(found: {', '.join(sorted(present)) or 'none'})."
        )
    _check_values(conn, landing_file, entity, present)

    if previous:
        conn.execute(
            f"DELETE FROM {raw_table(entity)} WHERE _source_file = ?", [landing_file.relative_path]
        )
        conn.execute(
            f"DELETE FROM {LEDGER_TABLE} WHERE entity = ? AND relative_path = ?",
            [entity.name, landing_file.relative_path],
        )
    select_list = ", ".join(
        f"CAST({c.name} AS {c.duckdb_type}) AS {c.name}"
        if c.name in present
        else f"CAST(NULL AS {c.duckdb_type}) AS {c.name}"
        for c in entity.columns
    )
    inserted = conn.execute(
        f"INSERT INTO {raw_table(entity)} "
        f"SELECT {select_list}, ? AS _source_file, _source_row, current_timestamp AS _loaded_at "
        "FROM _landing",
        [landing_file.relative_path],
    ).fetchone()[0]
    conn.execute("DROP TABLE _landing")
    conn.execute(
        f"INSERT INTO {LEDGER_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
        [
            entity.name,
            landing_file.relative_path,
            str(landing_file.path),
            landing_file.size_bytes,
            landing_file.modified_at,
            checksum,
            inserted,
        ],
    )
    (result.files_replaced if previous else result.files_loaded).append(landing_file.relative_path)
    result.rows_loaded += inserted
