"""Opening the writer's working database: wait while another process holds its lock, and fail at
once, in one line that says what to do, on anything else.

DuckDB lets one process at a time open a database file for writing. A lock held by another
process (a run still going, a dbt build started by hand, a run's dbt left behind when the run was
killed) ends by itself, so it is worth waiting for; a folder that cannot be written, a read-only
file system or something else in the file's place never does, so retrying it only delays the
error.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

_RETRY_EVERY_SECONDS = 0.5
# DuckDB's words for a lock conflict, e.g. `IO Error: Could not set lock on file "/w.duckdb":
# Conflicting lock is held in /usr/bin/python3.11 (PID 4242) by user kam.`
_LOCK_CONFLICT = "Could not set lock on file"
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
# The operating system's reason after the path, e.g. `Cannot open file "/w.duckdb": Permission
# denied` or `Could not read from file "/w.duckdb": Is a directory`.
_OS_REASON = re.compile(r'file "[^"]*": (?P<reason>.+)$')


class WorkingDatabaseUnavailable(Exception):
    """The working database could not be opened; the message is the one line a user reads."""


@dataclass(frozen=True)
class LockHolder:
    """The process DuckDB names as holding the lock: its PID and program, when DuckDB says them."""

    pid: int | None
    program: str | None

    @property
    def command_line(self) -> str | None:
        """The holder's full command line on one line (from Linux's /proc), or DuckDB's program
        name where that cannot be read: another system, a process gone since."""
        try:
            arguments = Path(f"/proc/{self.pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            return self.program
        return " ".join(arguments.decode(errors="replace").split()) or self.program

    def __str__(self) -> str:
        if self.pid is None:
            return "another process"
        command = self.command_line
        return f"PID {self.pid} ({command})" if command else f"PID {self.pid}"


def _lock_holder(error: duckdb.Error) -> LockHolder | None:
    """Who holds the lock, when `error` is DuckDB's lock conflict; None for any other error."""
    message = str(error)
    if _LOCK_CONFLICT not in message:
        return None
    named = _LOCK_HOLDER.search(message)
    if named is None:
        return LockHolder(pid=None, program=None)
    return LockHolder(pid=int(named["pid"]), program=named["program"])


@dataclass
class LockWait:
    """How long a run may wait for other processes' locks on its working database, in all.

    One allowance per run: the steps that meet one lock one after another wait for it once, not
    once each (nine ingest steps would otherwise wait nine times as long)."""

    seconds: float
    deadline: float | None = None

    def seconds_left(self) -> float:
        """What is left of the allowance; the clock starts at the first call."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.seconds
        return self.deadline - time.monotonic()


def open_working_database(
    path: Path, lock_wait: LockWait, on_wait: Callable[[str], None]
) -> duckdb.DuckDBPyConnection:
    """A read-write connection to `path`, its folder created if need be.

    While another process holds the file's lock, tries again every half second for what is left
    of `lock_wait`, saying so once through `on_wait`; raises `WorkingDatabaseUnavailable` when the
    wait runs out, and at once on any other error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        pass  # a file in the folder's place: DuckDB's error below names it ("Not a directory")
    except OSError as error:
        raise WorkingDatabaseUnavailable(_cannot_open(path, error.strerror)) from error
    said_waiting = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=False)
        except duckdb.IOException as error:
            holder = _lock_holder(error)
            if holder is None:
                raise WorkingDatabaseUnavailable(_cannot_open(path, _reason(error))) from error
        seconds_left = lock_wait.seconds_left()
        if seconds_left <= 0:
            kill_hint = f" (kill {holder.pid})" if holder.pid is not None else ""
            raise WorkingDatabaseUnavailable(
                f"the working database {path} is locked by {holder} for more than "
                f"{lock_wait.seconds:g} s: wait for that run to finish or stop it{kill_hint}"
            )
        if not said_waiting:
            on_wait(
                f"the working database {path} is locked by {holder}; waiting up to "
                f"{seconds_left:.0f} s for it to be released"
            )
            said_waiting = True
        time.sleep(min(_RETRY_EVERY_SECONDS, seconds_left))


def _reason(error: duckdb.Error) -> str:
    """Why DuckDB could not open the file: the operating system's reason where it gives one, else
    its own words without their class prefix and the path they repeat."""
    message = str(error).removeprefix("IO Error: ")
    said_by_the_system = _OS_REASON.search(message)
    if said_by_the_system:
        return said_by_the_system["reason"]
    return re.sub(r' "[^"]*"', "", message).rstrip("!.")


def _cannot_open(path: Path, reason: str) -> str:
    """The one line for a working database that waiting would not open: the path, the reason and
    what to do."""
    # Something this process may write and still cannot open (a folder, a file that is not a
    # DuckDB database) is in the way; otherwise the place itself cannot be written.
    in_the_way = os.access(path, os.W_OK)
    fix = (
        "move it out of the way, or choose another warehouse"
        if in_the_way
        else "choose a folder you can write"
    )
    return (
        f"cannot open the working database {path} ({reason}): {fix} with --warehouse / "
        "KAM_WAREHOUSE"
    )
