"""Small helpers the tests share: landing files on disk, a dashboard server (its port, health, and
the server itself), the processes carrying a mark in their environment."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

# Beside the session's demo warehouse (tests/conftest.py): the assets its run materialised, for
# tests of the run itself.
MATERIALIZED_FILE = "materialized.json"
# The browser tests drive Debian's chromium package, never a browser Playwright downloads.
CHROMIUM = Path("/usr/bin/chromium")


def write(path: Path, text: str) -> Path:
    """Write `text` to `path` (UTF-8), creating its folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until the Streamlit server at `url` answers its health check; fail if it exits."""
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, "the dashboard exited"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@dataclass(frozen=True)
class MarkedProcess:
    pid: int
    parent: int
    command: str

    def __str__(self) -> str:
        return f"{self.pid}: {self.command}"


def processes_marked(mark: str) -> list[MarkedProcess]:
    """Running processes whose environment holds `mark` (`NAME=value`), found through Linux's
    /proc whoever their parent is now; exited ones not yet reaped (zombies) are left out."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if mark.encode() not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state, parent = (entry / "stat").read_text().split(") ")[-1].split()[:2]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if state != "Z":
            found.append(MarkedProcess(int(entry.name), int(parent), command.strip()))
    return found


@contextlib.contextmanager
def served_dashboard(warehouse: Path):
    """`kam dashboard` on a free port, yielding its URL once it answers."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kam.cli", "dashboard", "--warehouse", str(warehouse),
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
