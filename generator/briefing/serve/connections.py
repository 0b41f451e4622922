"""A cap on the preview's open connections.

Each connection holds a thread and a file descriptor. A browser keeps a few
connections open between requests (keep-alive), and a careless or hostile client can
open hundreds and send nothing: with no cap they use up the process's open files
(256 by default on macOS) and a page request is no longer accepted.

So at most ``limit`` connections are open at once. A new one that would go beyond
makes room by hanging up the connection that has been idle longest: waiting for a
request with nothing sent yet (a browser simply opens another), or sending its request
line for longer than ``GRACE`` (a client that dribbles bytes); else the oldest
live-reload stream (whose page reconnects a second later). When every connection is in
the middle of a request, the new one waits for one to finish (it is not accepted
meanwhile: the ones after it wait in the listening socket's queue), and is turned away
with a 503 only after ``ADMIT_WAIT``. Idle connections are also closed after a few
seconds of silence (``IDLE_TIMEOUT``), as Node's server does.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time

MAX_CONNECTIONS = 64  # browsers open at most 6 per host and tab, and one stream
IDLE_TIMEOUT = 5.0  # seconds a connection may wait for its next request
GRACE = 2.0  # seconds an idle connection that has sent part of a request is spared
ADMIT_WAIT = 10.0  # seconds a new connection waits for room before a 503

IDLE, BUSY, STREAM = "idle", "busy", "stream"

REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n"
)


class Connections:
    """The open connections, what each is doing and since when, oldest first."""

    def __init__(self, limit: int = MAX_CONNECTIONS, admit_wait: float = ADMIT_WAIT) -> None:
        self.limit, self.admit_wait = limit, admit_wait
        self.hung_up = 0  # connections closed to make room, for the curious (and the tests)
        self._cond = threading.Condition()
        self._open: dict[socket.socket, tuple[str, float]] = {}  # in the order each entered its state

    def __len__(self) -> int:
        with self._cond:
            return len(self._open)

    def admit(self, sock: socket.socket) -> bool:
        """Count a new connection in, making room if need be; False to turn it away."""
        deadline = time.monotonic() + self.admit_wait
        with self._cond:
            while len(self._open) >= self.limit:
                victim = self._victim()
                if victim is not None:
                    del self._open[victim]
                    self.hung_up += 1
                    _hang_up(victim)
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.1))  # a request ends, or an idle one turns evictable
            self._open[sock] = (IDLE, time.monotonic())
            return True

    def mark(self, sock: socket.socket, state: str) -> bool:
        """Note what ``sock`` is doing now; False when it was hung up to make room."""
        with self._cond:
            if sock not in self._open:
                return False
            del self._open[sock]  # to the end: the newest
            self._open[sock] = (state, time.monotonic())
            self._cond.notify_all()
            return True

    def is_open(self, sock: socket.socket) -> bool:
        with self._cond:
            return sock in self._open

    def leave(self, sock: socket.socket) -> None:
        with self._cond:
            if self._open.pop(sock, None) is not None:
                self._cond.notify_all()

    def _victim(self) -> socket.socket | None:
        now = time.monotonic()
        for sock, (state, since) in self._open.items():
            if state == IDLE and (now - since > GRACE or not _has_input(sock)):
                return sock
        return next((sock for sock, (state, _) in self._open.items() if state == STREAM), None)


def _has_input(sock: socket.socket) -> bool:
    """Whether the client has sent something its thread has not read yet (a request on its way)."""
    poller = select.poll()
    try:
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return False


def _hang_up(sock: socket.socket) -> None:
    """End a connection that another thread is serving: its read returns at once, and
    that thread closes the socket (closing it here could close a descriptor that a new
    connection has taken meanwhile)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


def refuse(sock: socket.socket) -> None:
    """Tell a connection turned away why, without waiting on it."""
    with contextlib.suppress(OSError):
        sock.setblocking(False)
        sock.send(REFUSAL)
