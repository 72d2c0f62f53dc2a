"""Read-only access to the published warehouse: query results are cached per published file, so a
new publish is read on the next rerun of a page."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from orchestration.warehouse import resolve_paths


def warehouse_path() -> Path:
    """The published warehouse: KAM_WAREHOUSE (which `kam dashboard` sets), else the demo's."""
    return _warehouse_path(os.environ.get("KAM_WAREHOUSE"), os.getcwd())


@functools.lru_cache(maxsize=8)
def _warehouse_path(configured: str | None, cwd: str) -> Path:
    # Resolving a path reads every folder on the way (a quarter of a millisecond), and a page asks
    # once per amount it writes: thousands of times for a table. The answer only changes with the
    # setting or the folder a relative setting is read from, which are the cache's key.
    return resolve_paths()[1]


def published_version(path: Path) -> tuple[int, int, int]:
    """Which file is published: a publish replaces it (a new inode, time and size), so a new value
    means new data."""
    stat = path.stat()
    return stat.st_ino, stat.st_mtime_ns, stat.st_size


@dataclass
class _OpenFile:
    """One published file attached to an in-memory DuckDB, with the queries reading it now."""

    version: tuple[int, int, int]
    database: duckdb.DuckDBPyConnection
    readers: int = 0
    replaced: bool = False


_OPEN_LOCK = threading.Lock()
_OPEN: OrderedDict[str, _OpenFile] = OrderedDict()
# A dashboard reads one warehouse; a process that reads several (tests, a notebook) keeps the few
# it read last attached.
_MOST_OPEN_FILES = 4


def _let_go(opened: _OpenFile) -> None:
    """Close a file no longer published, now or when the last query reading it ends."""
    opened.replaced = True
    if not opened.readers:
        opened.database.close()


@contextlib.contextmanager
def _reading(path: str, version: tuple[int, int, int]) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on the published file at `path` in its `version`.

    The file stays attached while its version is the published one: attaching it again for every
    query cost 30 ms and DuckDB's cached blocks each time (a page makes 10-20 queries). It is
    attached to a database of its own, never opened by its path: DuckDB serves a path it has open
    from a per-process cache, and so would keep reading a file a publish has replaced. A new
    version attaches the new file; the replaced one is closed when its last query ends, which lets
    the operating system free it."""
    with _OPEN_LOCK:
        opened = _OPEN.get(path)
        if opened is None or opened.version != version:
            if opened is not None:
                _let_go(_OPEN.pop(path))
            database = duckdb.connect()
            literal = path.replace("'", "''")
            database.execute(f"ATTACH '{literal}' AS warehouse (READ_ONLY)")
            opened = _OPEN[path] = _OpenFile(version, database)
            while len(_OPEN) > _MOST_OPEN_FILES:
                _let_go(_OPEN.popitem(last=False)[1])
        _OPEN.move_to_end(path)
        opened.readers += 1
        cursor = opened.database.cursor()
    try:
        cursor.execute("USE warehouse")
        yield cursor
    finally:
        cursor.close()
        with _OPEN_LOCK:
            opened.readers -= 1
            if opened.replaced and not opened.readers:
                opened.database.close()


def close_published_files() -> None:
    """Close every attached published file (each is attached again by its next query): what a
    publish does to them, for a benchmark's cold render."""
    with _OPEN_LOCK:
        while _OPEN:
            _let_go(_OPEN.popitem()[1])


def _read(path: str, version: tuple[int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    """Run one query on the published file at `path`, in its `version`."""
    with _reading(path, version) as cursor:
        return cursor.execute(sql, list(params)).df()


@st.cache_data(max_entries=256, show_spinner=False)
def _query(path: str, version: tuple[int, int, int], sql: str, params: tuple) -> pd.DataFrame:
    return _read(path, version, sql, params)


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
    except (duckdb.CatalogException, duckdb.BinderException) as missing:
        if not _missing_object(missing):
            raise
        # A warehouse published by an earlier version lacks what a newer page reads: say what and
        # how to get it, rather than show DuckDB's message.
        st.warning(
            f"The warehouse at `{path}` has no {_missing_object(missing)}: it was published by an "
            "earlier version of kam. Run `kam run` (or `make demo`) to build it again, then reload."
        )
        st.stop()
    except (duckdb.IOException, OSError):
        # A publish swaps the file between our stat and our read, or the file is being replaced:
        # say so and let the reader retry, rather than show a stack trace.
        st.warning("The warehouse is being refreshed right now. Reload the page in a moment.")
        st.stop()


def _missing_object(problem: duckdb.Error) -> str | None:
    """What a catalog or binder error says is missing ("table portfolio_quarterly", "column
    reporting_date"); None for any other error, which is a fault to show as it is."""
    text = str(problem)
    if match := re.search(r"(Table|View|Macro|Table Function) with name (\S+) does not exist", text):
        return f"{match.group(1).lower()} {match.group(2)}"
    if match := re.search(r'Referenced column "([^"]+)" not found', text):
        return f"column {match.group(1)}"
    return None
