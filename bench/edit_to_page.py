"""Edit-to-page time in a dev server: from writing a brief to the server answering
with the page that shows the edit.

Both sides are the installed commands with their default settings: ``briefing serve``
(search included, its watcher and debounce included) and ``hugo server``. The page is
fetched over HTTP, as the editor's browser does, until its bytes hold the edit; the
time therefore includes the file watcher's latency, the debounce and the rebuild.

As a script it prints one JSON object: {"seconds": [...], "first_build": s}.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def briefing_serve(briefing: str, port: int) -> list[str]:
    return [briefing, "serve", "--port", str(port)]


def hugo_server(hugo: str, site: Path, out: Path, port: int, theme: str = "plain") -> list[str]:
    where = ["-s", str(site), "-d", str(out), "--bind", "127.0.0.1", "--port", str(port)]
    return [hugo, "server", *where, "--disableLiveReload", "--theme", theme]


class Server:
    """A dev server started for the measurement, stopped (and waited for) on leaving."""

    def __init__(self, cmd: list[str], cwd: Path, port: int, brief: str, limit: float = 1800.0) -> None:
        self.cmd, self.cwd, self.limit = cmd, cwd, limit
        self.url = f"http://127.0.0.1:{port}/briefs/{brief}/"
        self.file = cwd / "content" / "briefs" / f"{brief}.md"
        self.original = self.file.read_bytes()
        self.first_build = 0.0
        self.log: list[str] = []
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Server:
        start = time.perf_counter()
        self.proc = subprocess.Popen(
            self.cmd, cwd=self.cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
        threading.Thread(target=self._drain, daemon=True).start()  # a full pipe would stall the server
        self._wait_for(b"</html>")
        self.first_build = time.perf_counter() - start
        time.sleep(1.0)  # let the watcher settle after the first build
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.file.write_bytes(self.original)
        if self.proc is not None:
            self.proc.terminate()  # both servers stop cleanly on SIGTERM
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line)

    def _get(self) -> bytes:
        try:
            with urllib.request.urlopen(self.url, timeout=self.limit) as reply:
                return bytes(reply.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return b""

    def _wait_for(self, marker: bytes) -> float:
        end = time.perf_counter() + self.limit
        while time.perf_counter() < end:
            if marker in self._get():
                return time.perf_counter()
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd[0]} stopped ({self.proc.returncode}):\n{''.join(self.log)[-2000:]}")
            time.sleep(0.01)
        raise TimeoutError(f"{self.url} never showed {marker!r}:\n{''.join(self.log)[-2000:]}")

    def edit(self, pause: float = 2.0) -> float:
        """Append a sentence to the brief; the seconds until the page shows it."""
        marker = f"serve-edit-{time.time_ns()}"
        start = time.perf_counter()
        with open(self.file, "a", encoding="utf-8") as fh:
            fh.write(f"\nAn edit that adds the words {marker}.\n")
        seconds = self._wait_for(marker.encode()) - start
        time.sleep(pause)  # what the edit set off in the background (if anything) ends before the next
        return seconds


def measure(server: Server, edits: int) -> dict[str, object]:
    with server:
        times = [server.edit() for _ in range(edits)]
    return {"seconds": times, "first_build": server.first_build}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("tool", choices=("briefing", "hugo"))
    p.add_argument("site", type=Path)
    p.add_argument("--out", type=Path, help="Hugo's output folder (briefing serve keeps its own)")
    p.add_argument("--brief", default="brief-2")
    p.add_argument("--edits", type=int, default=5)
    p.add_argument("--command", required=True, help="the briefing or hugo executable")
    args = p.parse_args()
    port = free_port()
    if args.tool == "briefing":
        cmd = briefing_serve(args.command, port)
    else:
        cmd = hugo_server(args.command, args.site, args.out or args.site / "serve-public", port)
    print(json.dumps(measure(Server(cmd, args.site, port, args.brief), args.edits)))


if __name__ == "__main__":
    main()
