"""Read-only access to the published warehouse, cached and refreshed when a run publishes anew."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from orchestration.warehouse import resolve_paths


def warehouse_path() -> Path:
    configured = os.environ.get("KAM_WAREHOUSE")
    return resolve_paths(None, Path(configured) if configured else None)[1]


def _published_version(path: Path) -> float:
    """The file's modification time: a publish replaces the file, so a new value means new data."""
    return path.stat().st_mtime


@st.cache_resource(max_entries=2)
def _connection(path: str, version: float) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(path, read_only=True)


@st.cache_data(max_entries=256, show_spinner=False)
def _query(path: str, version: float, sql: str, params: tuple) -> pd.DataFrame:
    cursor = _connection(path, version).cursor()
    try:
        return cursor.execute(sql, list(params)).df()
    finally:
        cursor.close()


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
        return _query(str(path), _published_version(path), sql, params)
    except (duckdb.IOException, OSError):
        # A publish swaps the file between our stat and our read, or the file is being replaced:
        # say so and let the reader retry, rather than show a stack trace.
        _connection.clear()
        st.warning("The warehouse is being refreshed right now. Reload the page in a moment.")
        st.stop()
