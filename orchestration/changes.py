"""What changed since the last publish: landing files that are new, changed or removed, review
decisions recorded (loading/decisions.py), and the build's own inputs (the dbt project, the rule
settings, the column mapping).

A daily run with nothing new has nothing to do: `kam run` and the daily schedule ask here first and
stop in a second instead of rebuilding the same warehouse. Free of Dagster, so the command line can
answer before it imports it.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from loading.decisions import (
    NO_DECISIONS_DIGEST,
    decisions_digest,
    decisions_path,
    read_decisions,
)
from loading.ingest import (
    DECISIONS_LOADED_TABLE,
    LEDGER_TABLE,
    LandingFile,
    discover_all_landing_files,
)
from loading.mapping import SourceMapping
from loading.rules import RuleSettings
from orchestration.warehouse import DBT_PROJECT_DIR

BUILD_INPUTS_TABLE = "meta.build_inputs"
# The dbt project's files that decide what a build makes; target/ and logs/ are its output.
_DBT_INPUT_FOLDERS = ("models", "macros", "seeds", "snapshots", "tests")
_DBT_INPUT_FILES = ("dbt_project.yml", "profiles.yml", "packages.yml")


def dbt_inputs(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """The dbt project's files and folders that decide what a build makes, in a stable order: its
    settings files, then each input folder and everything below it. A folder counts because its own
    time changes when a file in it is added, removed or renamed."""
    paths = [project_dir / name for name in _DBT_INPUT_FILES if (project_dir / name).is_file()]
    for folder in _DBT_INPUT_FOLDERS:
        if (project_dir / folder).is_dir():
            paths.append(project_dir / folder)
            paths.extend(sorted((project_dir / folder).rglob("*")))
    return paths


def has_table(conn: duckdb.DuckDBPyConnection, qualified_name: str) -> bool:
    schema, table = qualified_name.split(".")
    return conn.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchone()[0] > 0


def _published_records(
    warehouse: Path,
) -> tuple[set[tuple[str, str, int, float]], str | None, str]:
    """The published warehouse's loaded file versions, its build fingerprint and the digest of the
    review decisions it loaded, read in one read-only opening of the published file (never the
    working one, so no contention with a run). A warehouse that loaded no decisions, or was
    published before they existed, loaded those of no store."""
    if not warehouse.exists():
        return set(), None, NO_DECISIONS_DIGEST
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        loaded = set()
        if has_table(conn, LEDGER_TABLE):
            loaded = set(conn.execute(
                f"SELECT entity, relative_path, size_bytes, modified_at FROM {LEDGER_TABLE}"
            ).fetchall())
        fingerprint = None
        if has_table(conn, BUILD_INPUTS_TABLE):
            row = conn.execute(f"SELECT fingerprint FROM {BUILD_INPUTS_TABLE}").fetchone()
            fingerprint = row[0] if row else None
        decisions = NO_DECISIONS_DIGEST
        if has_table(conn, DECISIONS_LOADED_TABLE):
            row = conn.execute(f"SELECT digest FROM {DECISIONS_LOADED_TABLE}").fetchone()
            decisions = row[0] if row else NO_DECISIONS_DIGEST
        return loaded, fingerprint, decisions


def _unloaded_files(
    landing_files: Iterable[LandingFile], loaded: set[tuple[str, str, int, float]]
) -> list[LandingFile]:
    """Landing files that are new or changed since the published warehouse loaded them."""
    return [
        f
        for f in landing_files
        if (f.entity, f.relative_path, f.size_bytes, f.modified_at) not in loaded
    ]


def _removed_files(
    landing_files: Iterable[LandingFile], loaded: set[tuple[str, str, int, float]]
) -> list[tuple[str, str]]:
    """(entity, relative path) of the files the published warehouse loaded that are no longer
    landing files: the next run takes their rows out."""
    present = {(f.entity, f.relative_path) for f in landing_files}
    return sorted({(entity, path) for entity, path, _, _ in loaded} - present)


def build_fingerprint(
    settings: RuleSettings, mapping: SourceMapping | None, project_dir: Path = DBT_PROJECT_DIR
) -> str:
    """One digest of everything but the landing files that decides what a build makes: every file
    of the dbt project (models, macros, the definitions seed), the rule settings and the mapping
    (its currency is in the settings; each entity's mapping by the fingerprint loading uses)."""
    digest = hashlib.sha256()
    for path in (path for path in dbt_inputs(project_dir) if path.is_file()):
        digest.update(f"{path.relative_to(project_dir)}\n".encode())
        digest.update(path.read_bytes())
    digest.update(repr(settings).encode())
    for name, entity_mapping in sorted(mapping.entities.items()) if mapping else ():
        digest.update(f"{name} {entity_mapping.fingerprint}\n".encode())
    return digest.hexdigest()


def record_build_inputs(conn: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Note in the working database what the build about to run is made from; publishing carries
    it to the readers' file, where the next run compares against it."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS meta")
    conn.execute(
        f"CREATE OR REPLACE TABLE {BUILD_INPUTS_TABLE} AS "
        "SELECT ? AS fingerprint, current_timestamp AS built_at",
        [fingerprint],
    )


def _store_digest(store: Path) -> str | None:
    """The digest of the decisions in the store now; None when it cannot be read (a run then says
    why)."""
    try:
        return decisions_digest(read_decisions(store))
    except sqlite3.Error:
        return None


@dataclass(frozen=True)
class ChangesSincePublish:
    new_or_changed: list[LandingFile]
    removed: list[tuple[str, str]]
    build_inputs_changed: bool
    files_loaded: int
    published: bool
    decisions_changed: bool
    """Review decisions were recorded since the published build loaded them (or their store
    cannot be read)."""

    @property
    def nothing_new(self) -> bool:
        return not (
            self.new_or_changed or self.removed or self.build_inputs_changed
            or self.decisions_changed
        )

    def summary(self) -> str:
        """One line for a person: what the next run would do, or why there is nothing to do."""
        if not self.published:
            return f"no published warehouse yet: {len(self.new_or_changed):,} landing file(s) to load"
        if self.nothing_new:
            return (f"nothing new since the last publish: its {self.files_loaded:,} landing "
                    "files, models and settings are unchanged")
        parts = []
        if self.new_or_changed:
            parts.append(f"{len(self.new_or_changed):,} new or changed landing file(s)")
        if self.removed:
            parts.append(f"{len(self.removed):,} removed landing file(s)")
        if self.decisions_changed:
            parts.append("review decisions recorded")
        if self.build_inputs_changed:
            parts.append("models or settings changed")
        return ", ".join(parts)


def changes_since_publish(
    landing: Path,
    warehouse: Path,
    mapping: SourceMapping | None,
    settings: RuleSettings,
) -> ChangesSincePublish:
    """What a run on `landing` would find new against the warehouse published at `warehouse`, with
    its decisions store beside it (`decisions_path`)."""
    landing_files = discover_all_landing_files(landing, mapping)
    loaded, fingerprint, decisions = _published_records(warehouse)
    return ChangesSincePublish(
        new_or_changed=_unloaded_files(landing_files, loaded),
        removed=_removed_files(landing_files, loaded),
        build_inputs_changed=fingerprint != build_fingerprint(settings, mapping),
        files_loaded=len(loaded),
        published=warehouse.exists(),
        decisions_changed=_store_digest(decisions_path(warehouse)) != decisions,
    )
