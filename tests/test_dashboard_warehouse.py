"""The dashboard's way to the published warehouse (dashboard/warehouse.py): the file stays attached
between queries, a publish is read by the next query, and the replaced file is let go."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pytest

from dashboard import warehouse as dashboard_warehouse
from dashboard.warehouse import _read, close_published_files, published_version


def publish(path: Path, customers: int) -> None:
    """Replace the published file the way a run does: a new file renamed over it."""
    staged = path.with_name(".staged.duckdb")
    with duckdb.connect(str(staged)) as conn:
        conn.execute("create schema marts")
        conn.execute(f"create table marts.portfolio_concentration as select {customers} as customers")
    os.replace(staged, path)


def files_held_open(path: Path) -> list[str]:
    """The files of this process that are `path`'s old versions: replaced, so '(deleted)'."""
    held = []
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith(str(path)) and target.endswith("(deleted)"):
            held.append(target)
    return held


@pytest.fixture
def published(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    publish(path, 10)
    yield path
    close_published_files()


def customers(path: Path) -> int:
    frame = _read(str(path), published_version(path), "select customers from marts.portfolio_concentration", ())
    return int(frame["customers"].iloc[0])


def test_the_file_stays_attached_between_queries(published):
    assert customers(published) == 10
    attached = dashboard_warehouse._OPEN[str(published)].database
    assert customers(published) == 10
    assert dashboard_warehouse._OPEN[str(published)].database is attached


def test_a_publish_is_read_by_the_next_query_and_the_replaced_file_let_go(published):
    assert customers(published) == 10
    publish(published, 11)
    assert files_held_open(published)  # the old file, still attached until the next query

    assert customers(published) == 11
    assert files_held_open(published) == []


def test_a_replaced_file_is_closed_only_after_the_query_reading_it_ends(published):
    version = published_version(published)
    reading, go_on = threading.Event(), threading.Event()
    seen = {}

    def slow_reader():
        with dashboard_warehouse._reading(str(published), version) as cursor:
            reading.set()
            go_on.wait(10)
            seen["customers"] = cursor.execute("select customers from marts.portfolio_concentration").fetchone()[0]

    thread = threading.Thread(target=slow_reader)
    thread.start()
    reading.wait(10)
    publish(published, 12)
    assert customers(published) == 12  # a new query reads the new file at once
    assert files_held_open(published)  # the slow query still reads the old one
    go_on.set()
    thread.join(10)

    assert seen == {"customers": 10}
    assert files_held_open(published) == []


def test_a_process_reading_many_warehouses_keeps_the_last_four_attached(tmp_path):
    paths = []
    for number in range(6):
        path = tmp_path / f"warehouse-{number}.duckdb"
        publish(path, number)
        paths.append(path)
        assert customers(path) == number
    try:
        assert list(dashboard_warehouse._OPEN) == [str(path) for path in paths[2:]]
        assert customers(paths[0]) == 0  # attached again on its next query
        assert list(dashboard_warehouse._OPEN) == [str(path) for path in paths[3:] + paths[:1]]
    finally:
        close_published_files()
