"""Read-only access to the published warehouse: query results are cached per published file, so a
new publish is read on the next rerun of a page."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from orchestration.warehouse import resolve_paths


def warehouse_path() -> Path:
    """The published warehouse: KAM_WAREHOUSE (which `kam dashboard` sets), else the demo's."""
    return resolve_paths()[1]


def published_version(path: Path) -> tuple[int, int, int]:
    """Which file is published: a publish replaces it (a new inode, time and size), so a new value
    means new data."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


def _read(path: str, sql: str, params: tuple) -> pd.DataFrame:
    """Run one query on the file at `path` as it is now.

    Each query attaches the file to its own in-memory database and closes it after. A connection
    opened on the path instead would be served from DuckDB's per-process database cache while any
    other connection to that path is open, and so keep reading a file that a publish has replaced
    (the dashboard showed the same figures for hours of new publishes)."""
    literal = path.replace("'", "''")
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{literal}' AS warehouse (READ_ONLY)")
        conn.execute("USE warehouse")
        return conn.execute(sql, list(params)).df()


@st.cache_data(max_entries=256, show_spinner=False)
def _query(path: str, version: tuple[int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    return _read(path, sql, params)


def query(sql: str, params: tuple = ()) -> pd.DataFrame:
    """Run a parameterised query on the published warehouse; stop the page with a clear notice
    when there is none yet."""
    path = warehouse_path()
    if not path.exists():
        st.info(
            f"No published warehouse at `{path}` yet. Run `kam run` (or `make demo`) and reload."
        )
        st.stop()
    try:
        return _query(str(path), published_version(path), sql, params)
    except (duckdb.IOException, OSError):
        # A publish swaps the file between our stat and our read, or the file is being replaced:
        # say so and let the reader retry, rather than show a stack trace.
        st.warning("The warehouse is being refreshed right now. Reload the page in a moment.")
        st.stop()
