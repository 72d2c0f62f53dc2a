"""Locks around a run: another process holding the working database is waited for and named, a
working database that cannot be opened fails at once in one line, and one `kam run` at a time
works on a warehouse, clearing what a run that died left behind."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from demo.generator import generate
from kam.cli import main
from orchestration.run_lock import RunLockUnavailable, hold_run_lock, run_lock_path
from orchestration.runner import run_pipeline
from orchestration.warehouse import PROJECT_ROOT, publish_staging_path, work_path
from orchestration.working_database import (
    LockWait,
    WorkingDatabaseUnavailable,
    open_working_database,
)

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="names processes from /proc")


@contextlib.contextmanager
def python_process(code: str) -> Iterator[subprocess.Popen]:
    """A Python process running `code` from the project folder, once it printed `ready` (so it
    holds what it took); killed at the end if it still runs."""
    with subprocess.Popen(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout.readline().strip() == "ready"
            yield process
        finally:
            process.kill()


def holding_the_database(path: Path, seconds: float) -> str:
    """Code that opens the DuckDB file at `path` for writing and keeps it open for `seconds`."""
    return (
        "import duckdb, time\n"
        f"conn = duckdb.connect({str(path)!r})\n"
        "print('ready', flush=True)\n"
        f"time.sleep({seconds})\n"
    )


def holding_the_run_lock(warehouse: Path, seconds: float) -> str:
    """Code that holds the run lock of `warehouse` for `seconds`, as a `kam run` would."""
    return (
        "import time\n"
        "from pathlib import Path\n"
        "from orchestration.run_lock import hold_run_lock\n"
        f"with hold_run_lock(Path({str(warehouse)!r}), 0, print):\n"
        "    print('ready', flush=True)\n"
        f"    time.sleep({seconds})\n"
    )


def a_pid_that_is_not_running() -> int:
    with subprocess.Popen([sys.executable, "-c", "pass"]) as process:
        process.wait()
    return process.pid


# --- The working database -----------------------------------------------------------------------

CONNECT_AND_REPORT = """
import json, sys, time
from pathlib import Path
import duckdb
from orchestration.working_database import (
    LockWait, WorkingDatabaseUnavailable, open_working_database,
)
connects = []
real_connect = duckdb.connect
def counted_connect(*args, **kwargs):
    connects.append(args)
    return real_connect(*args, **kwargs)
duckdb.connect = counted_connect
started = time.monotonic()
try:
    open_working_database(Path(sys.argv[1]), LockWait(600), print)
except WorkingDatabaseUnavailable as error:
    print(json.dumps({"error": str(error), "connects": len(connects),
                      "seconds": time.monotonic() - started}))
"""


@pytest.fixture
def folder_it_cannot_write() -> Iterator[tuple[Path, list[str]]]:
    """A folder this suite's processes may enter but not write, and the command prefix that runs
    a process as a user bound by that: root ignores permission bits, so as root the process runs
    as `nobody` (the folder is outside pytest's private temporary folders, so nobody reaches it)."""
    as_root = os.geteuid() == 0
    if as_root and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv to drop to another user")
    folder = Path(tempfile.mkdtemp(prefix="kam-cannot-write-"))
    folder.chmod(0o755 if as_root else 0o555)
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    try:
        yield folder, as_nobody if as_root else []
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_a_working_database_in_a_folder_it_cannot_write_fails_at_once_in_one_line(
    folder_it_cannot_write,
):
    folder, run_as = folder_it_cannot_write
    database = folder / "warehouse.work.duckdb"

    completed = subprocess.run(
        [*run_as, sys.executable, "-c", CONNECT_AND_REPORT, str(database)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True,
    )

    report = json.loads(completed.stdout)
    assert report["error"] == (
        f"cannot open the working database {database} (Permission denied): choose a folder you "
        "can write with --warehouse / KAM_WAREHOUSE"
    )
    # Tried once: a permission error does not go away by retrying (it was ~100 s of retries).
    assert report["connects"] == 1
    assert report["seconds"] < 5


@pytest.mark.parametrize(
    ("in_its_place", "reason"),
    [
        ("folder", "Is a directory"),
        ("text file", "The file exists, but it is not a valid DuckDB database file"),
    ],
)
def test_something_else_in_the_working_database_place_fails_at_once_in_one_line(
    tmp_path, monkeypatch, in_its_place, reason
):
    database = tmp_path / "warehouse.work.duckdb"
    if in_its_place == "folder":
        database.mkdir()
    else:
        database.write_text("order_id,customer_id\n1,C1\n" * 500)
    connects = []
    real_connect = duckdb.connect

    def counted_connect(*args, **kwargs):
        connects.append(args)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counted_connect)
    waits = []

    with pytest.raises(WorkingDatabaseUnavailable) as raised:
        open_working_database(database, LockWait(600), waits.append)

    assert str(raised.value) == (
        f"cannot open the working database {database} ({reason}): move it out of the way, or "
        "choose another warehouse with --warehouse / KAM_WAREHOUSE"
    )
    assert len(connects) == 1
    assert waits == []


def test_a_working_database_locked_by_another_process_is_waited_for_then_named(tmp_path):
    database = tmp_path / "warehouse.work.duckdb"
    with python_process(holding_the_database(database, 60)) as holder:
        arguments = Path(f"/proc/{holder.pid}/cmdline").read_text().split("\0")
        command = " ".join(" ".join(arguments).split())
        waits = []
        started = time.monotonic()

        with pytest.raises(WorkingDatabaseUnavailable) as raised:
            open_working_database(database, LockWait(2), waits.append)
        waited = time.monotonic() - started

    holder_named = f"PID {holder.pid} ({command})"
    assert waits == [
        (f"the working database {database} is locked by {holder_named}; waiting up to 2 s for "
         "it to be released")
    ]
    assert str(raised.value) == (
        f"the working database {database} is locked by {holder_named} for more than 2 s: wait "
        f"for that run to finish or stop it (kill {holder.pid})"
    )
    assert 2 <= waited < 10


def test_a_working_database_lock_released_within_the_wait_lets_the_step_through(tmp_path):
    database = tmp_path / "warehouse.work.duckdb"
    with python_process(holding_the_database(database, 1.5)) as holder:
        waits = []
        started = time.monotonic()

        conn = open_working_database(database, LockWait(60), waits.append)
        waited = time.monotonic() - started
        holder.wait(timeout=10)

    with conn:
        assert conn.execute("SELECT 42").fetchone() == (42,)
    assert len(waits) == 1 and f"locked by PID {holder.pid} (" in waits[0]
    assert waited < 30


def test_a_run_meeting_a_held_working_database_waits_once_then_fails_naming_the_holder(
    tmp_path, monkeypatch
):
    """Every ingest step meets the lock; the run waits for it once, not once per step, and says
    why in one line."""
    generate(tmp_path / "landing", customers=20, lines=200)
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("KAM_LOCK_WAIT_SECONDS", "2")
    progress = io.StringIO()

    with python_process(holding_the_database(work_path(warehouse), 120)) as holder:
        outcome = run_pipeline(tmp_path / "landing", warehouse, stream=progress)

    assert not outcome.success
    assert outcome.error.startswith(
        f"the working database {work_path(warehouse)} is locked by PID {holder.pid} ("
    )
    assert f"for more than 2 s: wait for that run to finish or stop it (kill {holder.pid}) (" in (
        outcome.error
    )
    assert "\n" not in outcome.error and "WorkingDatabaseUnavailable" not in outcome.error
    assert progress.getvalue().count(f"is locked by PID {holder.pid} (") == 1
    assert progress.getvalue().count("waiting up to 2 s for it to be released") == 1
    assert not warehouse.exists()


def test_kam_run_with_a_folder_in_the_working_database_place_says_so_in_one_line(tmp_path, capfd):
    generate(tmp_path / "landing", customers=20, lines=200)
    warehouse = tmp_path / "warehouse.duckdb"
    work_path(warehouse).mkdir()
    started = time.monotonic()

    assert main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(warehouse)]) == 1

    # Each of nine ingest steps retried it for about 100 s before.
    assert time.monotonic() - started < 90
    errors = capfd.readouterr().err
    [failed] = [line for line in errors.splitlines() if line.startswith("kam run failed:")]
    assert failed.startswith(
        f"kam run failed: cannot open the working database {work_path(warehouse)} (Is a "
        "directory): move it out of the way, or choose another warehouse with --warehouse / "
        "KAM_WAREHOUSE ("
    )
    assert "Traceback" not in errors and "WorkingDatabaseUnavailable" not in errors


# --- The run lock -------------------------------------------------------------------------------


def recorded_holder(warehouse: Path) -> dict:
    return json.loads(run_lock_path(warehouse).read_text())


def test_a_second_run_waits_for_the_first_then_gives_up_naming_it(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with python_process(holding_the_run_lock(warehouse, 60)) as holder:
        first = recorded_holder(warehouse)
        said = []
        started = time.monotonic()

        with pytest.raises(RunLockUnavailable) as raised, hold_run_lock(warehouse, 1, said.append):
            pytest.fail("took a lock another run holds")
        waited = time.monotonic() - started

    assert first["pid"] == holder.pid
    named = f"PID {holder.pid}, started {first['started_at']}"
    assert said == [
        (f"another run on {warehouse} is going ({named}: {first['command']}); waiting up to 1 s "
         "for it to finish (KAM_LOCK_WAIT_SECONDS)")
    ]
    assert str(raised.value) == (
        f"another run on {warehouse} ({named}) is still going after 1 s of waiting: wait for it "
        f"to finish or stop it (kill {holder.pid})"
    )
    assert 1 <= waited < 10


def test_a_second_run_starts_as_soon_as_the_first_ends(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with python_process(holding_the_run_lock(warehouse, 1)) as holder:
        said = []
        started = time.monotonic()

        with hold_run_lock(warehouse, 60, said.append):
            waited = time.monotonic() - started
            assert recorded_holder(warehouse)["pid"] == os.getpid()

    assert waited < 30
    # The first run ended normally: nothing is reported as left behind.
    assert len(said) == 1 and said[0].startswith(
        f"another run on {warehouse} is going (PID {holder.pid}, started "
    )


def test_kam_run_waits_for_another_run_on_the_same_warehouse_and_names_it(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "landing").mkdir()
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("KAM_LOCK_WAIT_SECONDS", "1")

    with python_process(holding_the_run_lock(warehouse, 60)) as holder:
        code = main(["run", "--landing", str(tmp_path / "landing"), "--warehouse", str(warehouse)])
        first = recorded_holder(warehouse)

    assert code == 1
    named = f"PID {holder.pid}, started {first['started_at']}"
    assert capsys.readouterr().err.splitlines() == [
        (f"kam run: another run on {warehouse} is going ({named}: {first['command']}); waiting "
         "up to 1 s for it to finish (KAM_LOCK_WAIT_SECONDS)"),
        (f"kam run: another run on {warehouse} ({named}) is still going after 1 s of waiting: "
         f"wait for it to finish or stop it (kill {holder.pid})"),
    ]
    assert not list((tmp_path / "logs").glob("kam-run-*.log"))


def test_a_run_that_died_is_reported_and_its_half_copied_publish_file_removed(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    dead_pid = a_pid_that_is_not_running()
    run_lock_path(warehouse).write_text(json.dumps(
        {"pid": dead_pid, "started_at": "2026-11-02T06:00:00+01:00", "command": "kam run"}
    ))
    staging = publish_staging_path(warehouse)
    staging.write_bytes(b"half a copy")
    with duckdb.connect(str(work_path(warehouse))) as conn:
        conn.execute("CREATE TABLE loaded AS SELECT 1 AS line")
    said = []

    with hold_run_lock(warehouse, 60, said.append):
        assert recorded_holder(warehouse)["pid"] == os.getpid()

    assert said == [
        (f"the previous run (PID {dead_pid}, started 2026-11-02T06:00:00+01:00) did not "
         f"finish; removed its half-copied publish file {staging}; its working database is kept, "
         "as every load it finished is complete")
    ]
    assert not staging.exists()
    with duckdb.connect(str(work_path(warehouse)), read_only=True) as conn:
        assert conn.execute("SELECT line FROM loaded").fetchall() == [(1,)]


@pytest.mark.parametrize("run_ends", ["normally", "with an error"])
def test_the_run_lock_is_released_and_emptied_when_the_run_ends(tmp_path, run_ends):
    warehouse = tmp_path / "warehouse.duckdb"
    said = []

    with contextlib.suppress(RuntimeError), hold_run_lock(warehouse, 60, said.append):
        holder = recorded_holder(warehouse)
        if run_ends == "with an error":
            raise RuntimeError("a step failed")

    assert holder["pid"] == os.getpid() and holder["started_at"] and holder["command"]
    assert said == []
    # Empty: the next run finds nothing left behind to report or clear.
    assert run_lock_path(warehouse).read_text() == ""
    with run_lock_path(warehouse).open() as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_ctrl_c_while_waiting_for_the_run_lock_ends_in_one_line(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"

    def interrupted(line: str) -> None:
        raise KeyboardInterrupt

    with (
        hold_run_lock(warehouse, 60, lambda line: None),
        pytest.raises(RunLockUnavailable) as raised,
        hold_run_lock(warehouse, 60, interrupted),
    ):
        pytest.fail("took a lock this run holds")

    assert str(raised.value) == (
        f"stopped while waiting for another run on {warehouse}; nothing was done"
    )
