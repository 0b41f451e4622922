"""Serve a built site with Debian's nginx on a loopback port, as a host would.

The server runs in the foreground (``daemon off``, one process) from a
generated config whose pid file, logs and temp folders all live in a temp
folder; it is stopped by its PID.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
START_TIMEOUT = 10.0

CONFIG = """\
daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include {mime};
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location {prefix} {{
            alias {root}/;
            error_page 404 {prefix}404.html;
        }}
    }}
}}
"""


def free_port() -> int:
    """A loopback port nothing listens on now (the caller binds it soon after)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(root: Path, tmp: Path, port: int, prefix: str = "/") -> Iterator[str]:
    """Serve ``root`` at ``http://127.0.0.1:port{prefix}``; yields that URL."""
    tmp.mkdir(parents=True, exist_ok=True)
    conf = tmp / "nginx.conf"
    conf.write_text(CONFIG.format(tmp=tmp, mime=MIME_TYPES, port=port, prefix=prefix, root=root.resolve()))
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-e", str(tmp / "error.log"), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, proc, tmp)
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for(port: int, proc: subprocess.Popen[bytes], tmp: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = (tmp / "error.log").read_text() if (tmp / "error.log").exists() else ""
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"nginx exited with {proc.returncode}: {err}{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on port {port} within {START_TIMEOUT} s")
