"""The preview's HTTP side: static files from the build folder, and nothing else.

Only files inside the output folder are served: the path is percent-decoded
once, any ``..`` or ``.`` segment is refused, and the resolved file (symlinks
followed) must still lie inside the folder. Requests are small and bounded
(request line, header lines, header count), bodies are refused, and a client
that goes away mid-response costs a closed socket, not a traceback. Open
connections are capped, idle ones giving way to new ones (``connections``).

HTML responses get one ``<script src="/__briefing/reload.js">`` before
``</body>``: an external same-origin file, because the pages' CSP forbids
inline scripts. It listens on ``/__briefing/events`` (server-sent events).
"""

from __future__ import annotations

import html
import io
import json
import socket
import socketserver
import sys
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import quote, unquote

from briefing.content.config import load_config
from briefing.diagnostics import Diagnostics
from briefing.pipeline import Result
from briefing.serve.connections import BUSY, IDLE, IDLE_TIMEOUT, MAX_CONNECTIONS, STREAM, Connections, refuse
from briefing.serve.loop import BuildLoop, Status
from briefing.serve.mime import TYPES, content_type

PREFIX = "/__briefing/"
MAX_REQUEST_LINE = 8 * 1024
MAX_HEADER_LINE = 8 * 1024
MAX_HEADERS = 64
MAX_HEAD_BYTES = 32 * 1024
HEAD_DEADLINE = 10.0  # seconds to send the whole head once it has begun (slow-loris clients)
HEARTBEAT = 15.0  # seconds between SSE comments, so proxies and browsers keep the stream


class BadPathError(ValueError):
    """The request path tries to leave the site, or is not a path at all."""


def url_segments(encoded: str) -> list[str]:
    """Decode a URL path once and split it; refuse anything that could climb out."""
    try:
        decoded = unquote(encoded, errors="strict")
    except UnicodeDecodeError as exc:
        raise BadPathError("not UTF-8") from exc
    if "\x00" in decoded or "\\" in decoded:
        raise BadPathError("forbidden character")
    segments = [s for s in decoded.split("/") if s]
    if any(s in (".", "..") for s in segments):
        raise BadPathError("dot segment")
    return segments


def resolve_inside(root: Path, segments: list[str]) -> Path | None:
    """The file or folder ``segments`` name below ``root``, or None if it is elsewhere."""
    base = root.resolve()
    try:
        target = base.joinpath(*segments).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return target if target.is_relative_to(base) else None


def inject(page: bytes, generation: str) -> bytes:
    """Add the live-reload script before the last ``</body>`` (or at the end)."""
    tag = (f'<script src="{PREFIX}reload.js" data-generation="{html.escape(generation)}" defer></script>\n').encode()
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


@dataclass
class Preview:
    """What every request handler shares: the loop, the build folder, the client script."""

    loop: BuildLoop
    root: Path
    script: bytes
    debug: bool = False
    site: Path | None = None
    _mount: tuple[Result | None, str] = field(default=(None, "/"), init=False, repr=False)

    def mount(self) -> str:
        """The URL path the site lives under: site.toml's base_url path, as last built."""
        good = self.loop.good
        if good is None:
            return "/"
        built, path = self._mount
        if built is not good:
            path = good.library.config.base_path if good.library is not None else self._configured_path()
            self._mount = (good, path)  # a race here only computes the same answer twice
        return path

    def _configured_path(self) -> str:
        """For a builder whose result carries no library: read site.toml ourselves."""
        config = load_config(self.site, Diagnostics()) if self.site is not None else None
        return config.base_path if config is not None else "/"


def reload_script() -> bytes:
    return resources.files("briefing.serve").joinpath("reload.js").read_bytes()


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # a burst of connections waits in the backlog instead of being dropped

    def __init__(self, address: tuple[str, int], preview: Preview, max_connections: int = MAX_CONNECTIONS) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.preview = preview
        self.connections = Connections(max_connections)  # see ``connections``
        super().__init__(address, Handler)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        if not self.connections.admit(request):
            refuse(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)  # type: ignore[arg-type]

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        self.connections.leave(request)
        super().shutdown_request(request)

    def server_bind(self) -> None:
        # HTTPServer.server_bind asks DNS for our own name; a preview needs none of it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: object, client_address: object) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the client went away: nothing to report
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "briefing-preview"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.1"  # so even a malformed request gets a status line
    timeout = 30  # seconds of silence before a connection is dropped
    head_deadline = HEAD_DEADLINE

    # -- request reading, with limits ---------------------------------------
    def handle_one_request(self) -> None:
        """``BaseHTTPRequestHandler.handle_one_request`` with small limits on the head."""
        try:
            line = self._next_request_line()
            if not line:
                self.close_connection = True
                return
            self.raw_requestline = line
            if len(line) > MAX_REQUEST_LINE:
                self._early_error(HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if len(line.split()) != 3:
                self._early_error(HTTPStatus.BAD_REQUEST)
                return
            head = self._read_head()
            if head is None:
                self._early_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
                return
            rfile, self.rfile = self.rfile, io.BytesIO(head)
            try:
                parsed = self.parse_request()
            finally:
                self.rfile = rfile
            if not parsed:
                return
            method = getattr(self, f"do_{self.command}", None)
            if method is None:
                self.send_error(HTTPStatus.METHOD_NOT_ALLOWED)
                return
            method()
            self.wfile.flush()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _next_request_line(self) -> bytes:
        """The request line, read as an idle connection (see ``connections``): one the
        server hung up to make room, or that stayed silent too long, gives b""."""
        connections = self.server.connections
        connections.mark(self.connection, IDLE)
        self.connection.settimeout(IDLE_TIMEOUT)
        line = self.rfile.readline(MAX_REQUEST_LINE + 1)
        self.connection.settimeout(self.timeout)
        return line if connections.mark(self.connection, BUSY) else b""

    def _read_head(self) -> bytes | None:
        """The header block up to its blank line, or None if it breaks a limit.

        The whole block must arrive within ``head_deadline`` seconds: a client
        sending a byte now and then cannot hold a thread for long.
        """
        lines: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.head_deadline
        while True:
            self.connection.settimeout(max(0.01, deadline - time.monotonic()))
            line = self.rfile.readline(MAX_HEADER_LINE + 1)
            self.connection.settimeout(self.timeout)
            size += len(line)
            if len(line) > MAX_HEADER_LINE or size > MAX_HEAD_BYTES or len(lines) > MAX_HEADERS:
                return None
            lines.append(line)
            if line in (b"\r\n", b"\n", b""):
                return b"".join(lines)

    def _early_error(self, code: HTTPStatus) -> None:
        self.requestline, self.request_version, self.command = "", "HTTP/1.1", ""
        self.send_error(code)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        if self.server.preview.debug:
            super().log_message(format, *args)

    # -- methods -------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def _dispatch(self, head: bool) -> None:
        if self._has_body():
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request bodies are not accepted")
            return
        target, _, query = self.path.partition("?")
        target = target.partition("#")[0]
        if not target.startswith("/"):
            self.send_error(HTTPStatus.BAD_REQUEST)
            return
        if target.startswith(PREFIX):
            self._internal(target[len(PREFIX) :], head)
            return
        try:
            segments = url_segments(target)
        except BadPathError:
            self.send_error(HTTPStatus.BAD_REQUEST, "bad path")
            return
        self._static(segments, target.endswith("/"), query, head)

    def _has_body(self) -> bool:
        length = self.headers.get("Content-Length", "0").strip()
        return "Transfer-Encoding" in self.headers or length not in ("", "0")

    # -- the site ------------------------------------------------------------
    def _static(self, segments: list[str], slash: bool, query: str, head: bool) -> None:
        preview = self.server.preview
        preview.loop.wait_idle()
        status = preview.loop.status()
        if preview.loop.good is None or not preview.root.is_dir():
            self._no_site(status, head)
            return
        mount = [s for s in preview.mount().split("/") if s]
        suffix = f"?{query}" if query else ""
        if segments[: len(mount)] != mount:
            # Outside base_url's path: send "/" and any page that exists there to its real place.
            if not segments or resolve_inside(preview.root, segments) is not None:
                self._redirect(_url([*mount, *segments], slash or not segments) + suffix)
            else:
                self._not_found(status, head)
            return
        rel = segments[len(mount) :]
        found = resolve_inside(preview.root, rel)
        if found is not None and found.is_dir():
            if not slash and segments:
                self._redirect(_url(segments, True) + suffix)
                return
            found = resolve_inside(preview.root, [*rel, "index.html"])
        if found is None or not found.is_file():
            self._not_found(status, head)
            return
        self._file(found, HTTPStatus.OK, status, head)

    def _file(self, path: Path, code: HTTPStatus, status: Status, head: bool) -> None:
        try:
            body = path.read_bytes()
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        kind = content_type(path)
        if kind.startswith("text/html"):
            body = inject(body, status.generation)
        self._send(code, kind, body, head)

    def _not_found(self, status: Status, head: bool) -> None:
        page = resolve_inside(self.server.preview.root, ["404.html"])
        if page is not None and page.is_file():
            self._file(page, HTTPStatus.NOT_FOUND, status, head)
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", head)

    def _no_site(self, status: Status, head: bool) -> None:
        """Before the first good build there is no site: say why, and reload once there is."""
        items = "".join(f"<li><code>{html.escape(d.text())}</code></li>" for d in status.problems)
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            "<title>No site yet</title></head><body><h1>The site has not built yet</h1>"
            "<p>Fix the errors below; this page reloads when the build succeeds.</p>"
            f"<ul>{items}</ul></body></html>"
        )
        self._send(HTTPStatus.SERVICE_UNAVAILABLE, TYPES[".html"], inject(page.encode(), status.generation), head)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, code: HTTPStatus, kind: str, body: bytes, head: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    # -- /__briefing/ ---------------------------------------------------------
    def _internal(self, name: str, head: bool) -> None:
        preview = self.server.preview
        if name == "reload.js":
            self._send(HTTPStatus.OK, TYPES[".js"], preview.script, head)
        elif name == "status":
            body = json.dumps(preview.loop.status().as_json(), ensure_ascii=False).encode()
            self._send(HTTPStatus.OK, TYPES[".json"], body, head)
        elif name == "events" and not head:
            self._events()
        else:
            self.send_error(HTTPStatus.NOT_FOUND)

    def _events(self) -> None:
        """Stream the build status: once now, then after every build, until the client leaves."""
        loop = self.server.preview.loop
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")  # the stream ends when the connection does
        self.end_headers()
        status = loop.status()
        self.wfile.write(b"retry: 1000\n" + _event(status))
        self.wfile.flush()
        seen, beat = status.seq, time.monotonic() + HEARTBEAT
        connections = self.server.connections
        connections.mark(self.connection, STREAM)
        while not loop.stopping and connections.is_open(self.connection):
            fresh = loop.wait_status(seen, 1.0)  # and look again whether it was hung up
            if fresh is not None:
                seen = fresh.seq
                self.wfile.write(_event(fresh))
            elif time.monotonic() >= beat:
                self.wfile.write(b": keep-alive\n\n")
            else:
                continue
            beat = time.monotonic() + HEARTBEAT
            self.wfile.flush()


def _event(status: Status) -> bytes:
    return b"event: status\ndata: " + json.dumps(status.as_json(), ensure_ascii=False).encode() + b"\n\n"


def _url(segments: list[str], slash: bool) -> str:
    path = "/" + "/".join(quote(s) for s in segments)
    return path + "/" if slash and segments else path
