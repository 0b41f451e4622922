"""How long ``briefing serve`` takes to show an edit, and then to bring the search index up
to date behind it.

    .venv/bin/python bench/search_catchup.py [--sizes 10000] [--shapes cited] [--edits 3]

The dev server shows an edited page first and indexes the changed shard afterwards,
while requests are served (``serve/loop.py``). For each edit this measures, over HTTP as
a browser does: the seconds from the write until the page holds the edit, and the
seconds from the write until ``/__briefing/status`` says the index has caught up
(``search_behind`` false). Writes bench/work/catchup-<shape>-<n>.md, which ``make
bench``'s report includes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import urllib.request
from pathlib import Path

from edit_to_page import Server, briefing_serve, free_port
from measure import median
from workdir import WORK, clear, prepare

EXE = Path(sys.executable).parent / "briefing"


def behind(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__briefing/status", timeout=60) as reply:
        status = json.loads(reply.read())
    return bool(status.get("building") or status.get("search_behind"))


def measure(shape: str, n: int, edits: int) -> str:
    site = WORK / "catchup" / shape / str(n)
    clear(site)
    shutil.copytree(prepare(shape, n) / "briefing", site, ignore=shutil.ignore_patterns("public", ".briefing-cache"))
    port = free_port()
    pages, caught = [], []
    with Server(briefing_serve(str(EXE), port), site, port, "brief-5") as server:
        while behind(port):  # the first build's index
            time.sleep(0.05)
        for _ in range(edits):
            start = time.perf_counter()
            pages.append(server.edit(pause=0.0))
            while behind(port):
                time.sleep(0.01)
            caught.append(time.perf_counter() - start)
            time.sleep(2.0)
    print(f"    pages {pages}, search caught up {caught}", flush=True)
    span = f"{min(pages):.2f}–{max(pages):.2f}"
    return (
        f"| {shape} shape, N = {n:,}: `briefing serve`, one brief's prose edited, {edits} edits | median (range) |\n"
        "|---|---|\n"
        f"| until the page shows the edit | {median(pages):.3f} s ({span}) |\n"
        f"| until the search index has caught up | {median(caught):.2f} s ({min(caught):.2f}–{max(caught):.2f}) |\n"
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10000])
    p.add_argument("--shapes", nargs="+", default=["cited"], choices=["cited", "linked"])
    p.add_argument("--edits", type=int, default=3)
    args = p.parse_args()
    for shape in args.shapes:
        for n in args.sizes:
            table = measure(shape, n, args.edits)
            print(table, flush=True)
            (WORK / f"catchup-{shape}-{n}.md").write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
