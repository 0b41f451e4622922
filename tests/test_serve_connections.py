"""The preview caps its open connections: a flood of idle ones (a careless script, a
port scanner, a browser's many speculative sockets) must not keep a page or the live
reload from answering, even where a process may open only 256 files (macOS's default)."""

from __future__ import annotations

import http.client
import re
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import REPO
from test_incremental import append_prose

WAIT = 20.0
FLOOD = 500
OPEN_FILES = 256


@pytest.fixture
def serving(site_copy: Callable[[str], Path]) -> Iterator[tuple[Path, int]]:
    """``briefing serve`` in a process that may open at most 256 files."""
    site = site_copy("valid")

    def few_files() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))

    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing", "serve", "--site", str(site), "--port", "0"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=few_files,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("serving "):
                break
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        yield site, int(found[1])
    finally:
        proc.kill()
        proc.wait()


def events(port: int) -> socket.socket:
    """A live-reload stream, as an open page holds it, after its first event."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    sock.sendall(b"GET /__briefing/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    read_event(sock, b"")
    return sock


def read_event(sock: socket.socket, got: bytes) -> tuple[bytes, bytes]:
    """The next whole status event on the stream, and what came after it."""
    deadline = time.monotonic() + WAIT
    while b"data: " not in got or b"\n\n" not in got[got.index(b"data: ") :]:
        assert time.monotonic() < deadline, got
        chunk = sock.recv(65536)
        assert chunk, f"the server closed the stream: {got!r}"
        got += chunk
    end = got.index(b"\n\n", got.index(b"data: ")) + 2
    return got[:end], got[end:]


def test_a_flood_of_idle_connections_leaves_pages_and_live_reload_working(serving: tuple[Path, int]) -> None:
    site, port = serving
    page_open = events(port)  # a page that was open before the flood
    flood = [socket.create_connection(("127.0.0.1", port), timeout=WAIT) for _ in range(FLOOD)]
    try:
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        conn.request("GET", "/briefing/")
        response = conn.getresponse()
        assert response.status == 200 and b"Fixture Briefing" in response.read()
        conn.close()
        fresh = events(port)  # a page opened during the flood
        assert time.monotonic() - started < 5.0

        append_prose("fund-explained", "Saved during the flood.")(site)
        for stream in (page_open, fresh):  # each open page hears of the new build
            event, rest = read_event(stream, b"")
            while b'"building": false' not in event or b'"ok": true' not in event:
                event, rest = read_event(stream, rest)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        conn.request("GET", "/briefing/briefs/fund-explained/")
        assert b"Saved during the flood." in conn.getresponse().read()
        conn.close()
    finally:
        for sock in [page_open, *flood]:
            sock.close()
