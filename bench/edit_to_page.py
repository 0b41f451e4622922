"""Edit-to-page time in serve: from writing a brief to its page's new bytes on disk.

For briefing this drives the dev server's ``Builder`` directly (what ``serve``
calls after each change), without the watcher's debounce. For Hugo it runs
``hugo server`` and watches the output file, so Hugo's figure includes its file
watcher's latency: both are what an editor waits for, give or take the watcher.

Prints one JSON object: {"seconds": [...], "first_build": s}.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def _append(path: Path, marker: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\nAn edit that adds the words {marker}.\n")


def _wait_for(path: Path, marker: bytes, limit: float = 120.0) -> float:
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        try:
            if marker in path.read_bytes():
                return time.perf_counter()
        except OSError:
            pass
        time.sleep(0.002)
    raise TimeoutError(f"{path} never showed {marker!r}")


def briefing(site: Path, out: Path, brief: str, edits: int) -> dict[str, object]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from briefing.engine.builder import Builder
    from briefing.pipeline import Options

    shutil.rmtree(out, ignore_errors=True)
    builder = Builder(site, out, Options())
    builder.steps = []  # no search index, as in the other measurements (see briefing_build.py)
    start = time.perf_counter()
    assert builder.build().ok
    first = time.perf_counter() - start
    times = []
    page = out / "briefs" / brief / "index.html"
    for i in range(edits):
        marker = f"serve-edit-{time.time_ns()}-{i}"
        t0 = time.perf_counter()
        _append(site / "content/briefs" / f"{brief}.md", marker)
        result = builder.build()
        assert result.ok and marker.encode() in page.read_bytes()
        times.append(time.perf_counter() - t0)
    return {"seconds": times, "first_build": first}


def hugo(binary: str, site: Path, out: Path, brief: str, edits: int) -> dict[str, object]:
    shutil.rmtree(out, ignore_errors=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.perf_counter()
    server = subprocess.Popen(
        [
            binary,
            "server",
            "-s",
            str(site),
            "-d",
            str(out),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--disableLiveReload",
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = out / "briefs" / brief / "index.html"
        _wait_for(page, b"</html>", 600)
        first = time.perf_counter() - start
        time.sleep(1.0)  # let the watcher settle after the first build
        times = []
        for i in range(edits):
            marker = f"serve-edit-{time.time_ns()}-{i}"
            t0 = time.perf_counter()
            _append(site / "content/briefs" / f"{brief}.md", marker)
            times.append(_wait_for(page, marker.encode()) - t0)
            time.sleep(0.5)
        return {"seconds": times, "first_build": first}
    finally:
        server.terminate()
        server.wait(30)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("tool", choices=("briefing", "hugo"))
    p.add_argument("site", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--brief", default="brief-2")
    p.add_argument("--edits", type=int, default=5)
    p.add_argument("--hugo", default="hugo")
    args = p.parse_args()
    if args.tool == "briefing":
        data = briefing(args.site, args.out, args.brief, args.edits)
    else:
        data = hugo(args.hugo, args.site, args.out, args.brief, args.edits)
    print(json.dumps(data))


if __name__ == "__main__":
    main()
