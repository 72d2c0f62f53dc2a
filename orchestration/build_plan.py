"""Whether a dbt build may add the day's new order lines to the models built before, or must build
them again from every line.

The line-level and customer-period models (stg_orders, int_order_lines_costed and the customer
days and months) are dbt incremental models. Adding is right only when the order lines are all
that changed since the models were last built in this working database: new landing files of
orders, every file built before still loaded as it was, every other input and the build's own
inputs (models, settings, mapping) unchanged. Anything else (a cost file, a changed or removed
orders file, an edited model) rebuilds them in full, which is also what `kam run --full-refresh`
asks for. Nothing here depends on the run history: the plan compares the loaded files with the
record the last successful build left, so a failed or stopped run is simply planned again.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from loading.ingest import LEDGER_TABLE, META_SCHEMA

MODELS_BUILT_FROM_TABLE = f"{META_SCHEMA}.models_built_from"
# Starts the plan's line in the run's log; the command line's progress output shows that line.
PLAN_LINE_PREFIX = "build plan: "
# The input whose new files an incremental build adds; every other input rebuilds in full.
INCREMENTAL_ENTITY = "orders"


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    order_batch_files: list[str]
    reason: str

    def summary(self) -> str:
        """One line for the run's log: what the build does and why."""
        if self.full_refresh:
            return f"{PLAN_LINE_PREFIX}every model from all order lines ({self.reason})"
        return (f"{PLAN_LINE_PREFIX}the order lines of {len(self.order_batch_files):,} new "
                f"landing file(s) added, the portfolio recomputed ({self.reason})")


def _full(reason: str) -> BuildPlan:
    return BuildPlan(full_refresh=True, order_batch_files=[], reason=reason)


def plan_build(conn: duckdb.DuckDBPyConnection, fingerprint: str, *, full_refresh: bool) -> BuildPlan:
    """The build for the files now loaded in the working database `conn`, whose build inputs have
    `fingerprint` (orchestration.changes.build_fingerprint)."""
    # Before dbt runs, so that its data dictionary hook comments the table on the first build too.
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {MODELS_BUILT_FROM_TABLE} (entity VARCHAR, "
        "relative_path VARCHAR, checksum VARCHAR, fingerprint VARCHAR, built_at TIMESTAMPTZ)"
    )
    if full_refresh:
        return _full("a full refresh was asked for")
    built_fingerprints = {
        row[0] for row in conn.execute(
            f"SELECT DISTINCT fingerprint FROM {MODELS_BUILT_FROM_TABLE}"
        ).fetchall()
    }
    if not built_fingerprints:
        return _full("no build from landing files yet in this working database")
    if built_fingerprints != {fingerprint}:
        return _full("models, settings or the column mapping changed")
    gone, added_elsewhere, added_orders = conn.execute(
        f"""
        WITH loaded AS (SELECT entity, relative_path, checksum FROM {LEDGER_TABLE}),
        built AS (SELECT entity, relative_path, checksum FROM {MODELS_BUILT_FROM_TABLE})
        SELECT
            (SELECT count(*) FROM (FROM built EXCEPT FROM loaded)),
            (SELECT count(*) FROM (FROM loaded EXCEPT FROM built) WHERE entity <> ?),
            (SELECT coalesce(list(relative_path ORDER BY relative_path), [])
             FROM (FROM loaded EXCEPT FROM built) WHERE entity = ?)
        """,
        [INCREMENTAL_ENTITY, INCREMENTAL_ENTITY],
    ).fetchall()[0]  # fetchall, not fetchone: the connection may run the checks next
    if gone:
        return _full(f"{gone:,} landing file(s) built before were changed or removed")
    if added_elsewhere:
        return _full(f"{added_elsewhere:,} new or changed landing file(s) of inputs other than "
                     f"{INCREMENTAL_ENTITY}")
    return BuildPlan(
        full_refresh=False,
        order_batch_files=added_orders,
        reason=f"only new {INCREMENTAL_ENTITY} files since the last build",
    )


def record_models_built_from(conn: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """After a successful build: the loaded files and build inputs the models now reflect, which
    the next build plans against."""
    # Emptied and filled, not replaced: the table keeps the comments the data dictionary gave it.
    conn.execute("BEGIN")
    conn.execute(f"DELETE FROM {MODELS_BUILT_FROM_TABLE}")
    conn.execute(
        f"INSERT INTO {MODELS_BUILT_FROM_TABLE} "
        f"SELECT entity, relative_path, checksum, ?, current_timestamp FROM {LEDGER_TABLE}",
        [fingerprint],
    )
    conn.execute("COMMIT")
