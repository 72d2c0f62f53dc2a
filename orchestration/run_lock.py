"""One `kam run` at a time per warehouse.

Two runs on one warehouse would take turns at the working database step by step, each loading
into and building over the other's tables. So a run holds an exclusive lock (`flock`) on a small
file beside the published warehouse, `.<warehouse name>.run.lock`, for as long as it lasts, and a
second run waits for it. The file names its holder (`{"pid", "started_at", "command"}`), so the
run that waits can say what for.

The kernel releases the lock when the holder's process ends, however it ends. A run that ends
(done, failed, stopped by Ctrl+C or a kill signal) also empties the file; a file that still names a
holder but is not locked is therefore a run that died (kill -9, power loss), whose leftovers the
next run clears.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from orchestration.warehouse import publish_staging_path

_RETRY_EVERY_SECONDS = 0.5
_REMIND_EVERY_SECONDS = 60


class RunLockUnavailable(Exception):
    """The run could not take the run lock; the message is the one line a user reads."""


@dataclass(frozen=True)
class RunHolder:
    """The run a lock file names (any field None when the file is garbled)."""

    pid: int | None
    started_at: str | None
    command: str | None

    def __str__(self) -> str:
        pid = f"PID {self.pid}" if self.pid is not None else "PID not recorded"
        return f"{pid}, started {self.started_at}" if self.started_at else pid


def run_lock_path(warehouse: Path) -> Path:
    """The run lock beside the published warehouse: `warehouse.duckdb` →
    `.warehouse.duckdb.run.lock`."""
    return warehouse.with_name(f".{warehouse.name}.run.lock")


@contextlib.contextmanager
def hold_run_lock(
    warehouse: Path, wait_seconds: float, say: Callable[[str], None]
) -> Iterator[None]:
    """Hold the run lock of `warehouse` for the `with` block.

    While another run holds it, waits up to `wait_seconds`, saying so through `say` when the wait
    starts and every minute after; raises `RunLockUnavailable` when the wait runs out. Clears what
    a run that died left behind, and says so."""
    path = run_lock_path(warehouse)
    try:
        lock_file = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8")
    except OSError as error:
        raise RunLockUnavailable(
            f"cannot create the run lock {path} ({error.strerror}): choose a folder you can "
            "write with --warehouse / KAM_WAREHOUSE"
        ) from error
    # Closing the file releases the lock.
    with lock_file:
        try:
            _acquire(lock_file, warehouse, wait_seconds, say)
        except KeyboardInterrupt:
            raise RunLockUnavailable(
                f"stopped while waiting for another run on {warehouse}; nothing was done"
            ) from None
        if dead_run := _recorded_holder(lock_file):
            say(_clear_after_dead_run(warehouse, dead_run))
        _record_holder(lock_file)
        try:
            yield
        finally:
            _empty(lock_file)


def _acquire(
    lock_file: TextIO, warehouse: Path, wait_seconds: float, say: Callable[[str], None]
) -> None:
    """Take the lock, waiting up to `wait_seconds` for the run that holds it."""
    started = time.monotonic()
    next_reminder = None
    while True:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        holder = _recorded_holder(lock_file) or RunHolder(pid=None, started_at=None, command=None)
        if waited >= wait_seconds:
            stop_hint = f" (kill {holder.pid})" if holder.pid is not None else ""
            raise RunLockUnavailable(
                f"another run on {warehouse} ({holder}) is still going after {wait_seconds:g} s "
                f"of waiting: wait for it to finish or stop it{stop_hint}"
            )
        if next_reminder is None:
            say(
                f"another run on {warehouse} is going ({holder}: "
                f"{holder.command or 'command not recorded'}); waiting up to {wait_seconds:g} s "
                "for it to finish (KAM_LOCK_WAIT_SECONDS)"
            )
            next_reminder = _REMIND_EVERY_SECONDS
        elif waited >= next_reminder:
            say(f"still waiting for the other run ({holder}) to finish: {waited:.0f} s so far")
            next_reminder += _REMIND_EVERY_SECONDS
        time.sleep(min(_RETRY_EVERY_SECONDS, wait_seconds - waited))


def _recorded_holder(lock_file: TextIO) -> RunHolder | None:
    """The run the lock file names; None when it names none (its last run ended, or the run that
    just took the lock has not written it yet)."""
    lock_file.seek(0)
    text = lock_file.read().strip()
    if not text:
        return None
    try:
        record = json.loads(text)
        return RunHolder(
            pid=int(record["pid"]), started_at=record["started_at"], command=record["command"]
        )
    except (ValueError, KeyError, TypeError):  # garbled, e.g. power lost while it was written
        return RunHolder(pid=None, started_at=None, command=None)


def _record_holder(lock_file: TextIO) -> None:
    """Name this run in the lock file, on disk before the run starts: after a power loss the next
    run must still find that this one did not finish."""
    holder = RunHolder(
        pid=os.getpid(),
        started_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        command=shlex.join(sys.argv),
    )
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.write(json.dumps(asdict(holder)))
    lock_file.flush()
    os.fsync(lock_file.fileno())


def _empty(lock_file: TextIO) -> None:
    """Mark the run as ended: an empty lock file leaves nothing for the next run to clear."""
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.flush()


def _clear_after_dead_run(warehouse: Path, dead_run: RunHolder) -> str:
    """Remove what a run that died left half done; the line that says what was found and done."""
    staging = publish_staging_path(warehouse)
    half_copied = staging.exists()
    staging.unlink(missing_ok=True)
    # The working database is kept: each ingest loads an entity in one transaction and DuckDB
    # replays its write-ahead log when the file is next opened, so every load the dead run
    # finished is there whole and an unfinished one not at all; this run's dbt build rebuilds
    # every model over it.
    removed = f"removed its half-copied publish file {staging}; " if half_copied else ""
    return (
        f"the previous run ({dead_run}) did not finish; {removed}its working database is "
        "kept, as every load it finished is complete"
    )
