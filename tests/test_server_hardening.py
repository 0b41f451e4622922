"""The preview server against hostile or careless clients.

Requests go over raw sockets, so no client library tidies the path first.
Every loop here is bounded in count and in time, and talks only to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from briefing.pipeline import Options
from briefing.serve.http import Handler
from briefing.serve.server import Running, Serving, start
from conftest import SITES

WAIT = 20.0
SECRET = b"TOP-SECRET-7f3a"


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    site = tmp_path_factory.mktemp("hardening") / "valid"
    shutil.copytree(SITES / "valid", site)
    running = start(site, Options(), Serving(port=0))
    running.serve_in_thread()
    # Bait beside the output, reachable only by climbing out of it.
    (running.out.parent / "secret.txt").write_bytes(SECRET)
    (running.out / "link-out.txt").symlink_to(running.out.parent / "secret.txt")
    (running.out / "dir-out").symlink_to(running.out.parent, target_is_directory=True)
    (running.out / "big.bin").write_bytes(os.urandom(1024) * 8 * 1024)  # 8 MiB
    yield running
    running.stop()


def raw(port: int, request: bytes) -> bytes:
    """Send ``request`` as is and read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def get_line(target: str) -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()


@pytest.mark.parametrize(
    "target",
    [
        "/briefing/../secret.txt",
        "/../secret.txt",
        "/briefing/../../../../../../etc/passwd",
        "/briefing/%2e%2e/secret.txt",
        "/briefing/%2E%2E/secret.txt",
        "/briefing/.%2e/secret.txt",
        "/briefing/..%2Fsecret.txt",
        "/briefing/%2e%2e%2fsecret.txt",
        "/briefing/%2e%2e%2F%2e%2e%2F%2e%2e%2Fetc%2Fpasswd",
        "/briefing/%252e%252e/secret.txt",
        "/briefing/%252e%252e%252fsecret.txt",
        "/briefing/..%5csecret.txt",
        "/briefing/..\\secret.txt",
        "/briefing/%2fetc%2fpasswd",
        "/briefing//etc/passwd",
        "//etc/passwd",
        "/briefing/index.html%00.txt",
        "/briefing/%c0%ae%c0%ae/secret.txt",
        "/briefing/link-out.txt",
        "/briefing/dir-out/secret.txt",
        "/briefing/dir-out/site/../secret.txt",
    ],
)
def test_nothing_outside_the_output_is_served(preview: Running, target: str) -> None:
    response = raw(preview.port, get_line(target))
    assert 400 <= status_of(response) < 500, response[:200]
    assert SECRET not in response
    assert b"root:x:0:0" not in response


def test_an_over_long_request_line_is_refused(preview: Running) -> None:
    response = raw(preview.port, get_line("/briefing/" + "a" * 20_000))
    assert status_of(response) == 414


@pytest.mark.parametrize(
    "headers",
    [
        b"X-Long: " + b"a" * 20_000 + b"\r\n",  # one huge line
        b"".join(b"X-H%d: v\r\n" % i for i in range(200)),  # too many
        b"".join(b"X-H%d: " % i + b"b" * 7_000 + b"\r\n" for i in range(8)),  # too much in all
    ],
)
def test_oversized_headers_are_refused(preview: Running, headers: bytes) -> None:
    request = b"GET /briefing/ HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"
    assert status_of(raw(preview.port, request)) == 431


def test_a_client_that_never_finishes_its_headers_is_dropped(preview: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Handler, "head_deadline", 0.3)
    with socket.create_connection(("127.0.0.1", preview.port), timeout=WAIT) as sock:
        sock.sendall(b"GET /briefing/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
        assert sock.recv(1024) == b"", "the server should have closed the connection"
    assert status_of(raw(preview.port, get_line("/briefing/"))) == 200


def test_request_bodies_are_refused(preview: Running) -> None:
    request = b"GET /briefing/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    assert status_of(raw(preview.port, request)) == 413
    chunked = b"GET /briefing/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    assert status_of(raw(preview.port, chunked)) == 413
    post = b"POST /briefing/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
    assert status_of(raw(preview.port, post)) == 405


@pytest.mark.parametrize(
    "request_line",
    [
        b"GET\r\n\r\n",
        b"GET /briefing/\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\r\n\r\n",
        b"GET /briefing/ HTTP/9.9\r\n\r\n",
        b"GET briefing HTTP/1.1\r\n\r\n",
        b"GET /briefing/ FTP/1.0\r\n\r\n",
    ],
)
def test_malformed_requests_get_an_error_not_a_crash(preview: Running, request_line: bytes) -> None:
    assert 400 <= status_of(raw(preview.port, request_line)) < 600
    assert status_of(raw(preview.port, get_line("/briefing/"))) == 200


def test_two_hundred_concurrent_requests_are_all_answered(preview: Running) -> None:
    count = 200
    start_together = threading.Barrier(count, timeout=WAIT)
    results: list[tuple[int, bool]] = []
    lock = threading.Lock()

    def fetch(i: int) -> None:
        path = ["/briefing/", "/briefing/actors/anna-berg/", "/briefing/feed.xml", "/briefing/missing/"][i % 4]
        start_together.wait()
        conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=60)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read()
            with lock:
                results.append((resp.status, len(body) == int(resp.getheader("Content-Length", "-1"))))
        finally:
            conn.close()

    threads = [threading.Thread(target=fetch, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == count
    assert sorted({status for status, _ in results}) == [200, 404]
    assert all(complete for _, complete in results)


def test_clients_that_hang_up_mid_response_do_not_harm_the_server(
    preview: Running, capfd: pytest.CaptureFixture[str]
) -> None:
    for abrupt in (True, False) * 10:
        sock = socket.create_connection(("127.0.0.1", preview.port), timeout=WAIT)
        sock.sendall(get_line("/briefing/big.bin"))
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        if abrupt:  # RST instead of FIN: the server's next write fails at once
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    # the event stream too: a page closed while it listens
    sock = socket.create_connection(("127.0.0.1", preview.port), timeout=WAIT)
    sock.sendall(get_line("/__briefing/events"))
    received = b""
    while b"event: status" not in received:
        chunk = sock.recv(4096)
        assert chunk, received
        received += chunk
    sock.close()

    response = raw(preview.port, get_line("/briefing/"))
    assert status_of(response) == 200 and b"Fixture Briefing" in response
    assert "Traceback" not in capfd.readouterr().err


def test_keep_alive_connections_serve_several_requests(preview: Running) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=WAIT)
    try:
        for path in ("/briefing/", "/briefing/actors/", "/briefing/nope/"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status in (200, 404)
    finally:
        conn.close()


def test_the_server_listens_on_loopback_by_default(preview: Running) -> None:
    assert preview.server.server_address[0] == "127.0.0.1"


def test_a_symlink_inside_the_output_is_fine(preview: Running) -> None:
    (preview.out / "alias.txt").symlink_to(preview.out / "robots.txt")
    response = raw(preview.port, get_line("/briefing/alias.txt"))
    assert status_of(response) == 200
    assert response.endswith((preview.out / "robots.txt").read_bytes())


def test_paths_with_encoded_ordinary_characters_still_work(preview: Running) -> None:
    page = Path("actors/anna-berg/index.html")
    assert (preview.out / page).is_file()
    assert status_of(raw(preview.port, get_line("/briefing/actors/anna%2Dberg/"))) == 200
