"""`kam dashboard` as a process: it listens on this machine only unless told otherwise, and a stop
signal sent to it stops the server (nothing keeps serving behind it)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.support import free_port, wait_until_healthy


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a TCP socket listening on `port` (Linux's /proc/net/tcp, tcp6)."""
    addresses = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
                if width == 8:
                    addresses.add(socket.inet_ntoa(bytes.fromhex(host)[::-1]))
                else:
                    words = [bytes.fromhex(host[i:i + 8])[::-1] for i in range(0, 32, 8)]
                    addresses.add(socket.inet_ntop(socket.AF_INET6, b"".join(words)))
    return addresses


def test_the_dashboard_listens_on_this_machine_only_and_stops_on_a_signal(demo_warehouse):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "kam.cli", "dashboard", "--warehouse", str(demo_warehouse),
         "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", server)
        assert listening_addresses(port) == {"127.0.0.1"}
        server.terminate()
        server.wait(timeout=20)
        # Nothing answers any more: the server went with the command that started it.
        time.sleep(1)
        assert listening_addresses(port) == set()
        assert f"http://localhost:{port}" in server.stdout.read()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
