"""A/B: this checkout's ``briefing`` against another checkout's, in one command.

    python bench/run.py --ab OTHER_CHECKOUT [--sizes 10000] [--shapes cited] [--runs 3]

Each side is its own checkout's installed command (``CHECKOUT/.venv/bin/briefing``),
with default settings, building its own copy of the same corpus. Measured, the sides
alternating run by run: the cold build (search on), a rebuild after one brief's prose
is edited, and the edit-to-page time in ``briefing serve`` (both servers running,
edits alternating). Prints medians, ranges and the ratio this ÷ other, and writes
them to bench/work/ab-<shape>-<n>.md and .json: what "within 10% of before" needs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from edit_to_page import Server, briefing_serve, free_port
from sides import Briefing, paired
from workdir import WORK, Restored, append, clear, empty_trash, prepare, settle

ROOT = Path(__file__).resolve().parent.parent


def _ready(checkout: Path, label: str, exe: Path | None = None) -> Briefing:
    exe = exe or checkout / ".venv" / "bin" / "briefing"
    if not exe.exists():
        raise SystemExit(
            f"{label}: no {exe}. Make the checkout's venv first:\n"
            f"  python3 -m venv {checkout}/.venv && {checkout}/.venv/bin/pip install -e {checkout}"
        )
    # bytecode, as an installed package has it (see the Makefile's bench target)
    subprocess.run([str(exe.parent / "python"), "-m", "compileall", "-q", str(checkout / "generator")], check=False)
    return Briefing(exe, label)


def _copy(site: Path, to: Path) -> Path:
    clear(to)
    shutil.copytree(site, to, ignore=shutil.ignore_patterns("public", ".briefing-cache"))
    return to


def compare(shape: str, n: int, sides: dict[str, Briefing], args: argparse.Namespace) -> dict[str, Any]:
    corpus = prepare(shape, n) / "briefing"
    sites = {name: _copy(corpus, WORK / "ab" / shape / str(n) / name) for name in sides}
    out: dict[str, Any] = {"shape": shape, "n": n, "load_at_start": os.getloadavg()[0]}
    out["cold"] = paired("cold", {k: b.cold(sites[k]) for k, b in sides.items()}, args.runs)
    briefs = {k: sites[k] / "content/briefs/brief-3.md" for k in sides}
    with Restored(*briefs.values()):

        def editor(name: str) -> Any:
            return lambda i: append(briefs[name], f"A plain sentence added by edit {i} at {time.time_ns()}.")

        out["prose_edit"] = paired("prose edit", {k: b.again(sites[k], editor(k)) for k, b in sides.items()}, args.runs)
    for site in sites.values():
        settle(site)
    out["serve"] = serve(sides, sites, args.serve_edits)
    return out


def serve(sides: dict[str, Briefing], sites: dict[str, Path], edits: int) -> dict[str, Any]:
    ports = {k: free_port() for k in sides}
    servers = {k: Server(briefing_serve(str(b.exe), ports[k]), sites[k], ports[k], "brief-5") for k, b in sides.items()}
    times: dict[str, list[float]] = {k: [] for k in sides}
    entered = []
    try:
        for server in servers.values():
            entered.append(server.__enter__())
        for i in range(edits):
            for k, server in servers.items():
                times[k].append(server.edit())
            print(f"    serve edit {i + 1}: " + ", ".join(f"{k} {t[-1]:.3f} s" for k, t in times.items()), flush=True)
    finally:
        for server in reversed(entered):
            server.__exit__(None, None, None)
    return {k: {"seconds": sorted(t)[len(t) // 2], "all": [round(x, 3) for x in t]} for k, t in times.items()}


def table(out: dict[str, Any], labels: dict[str, str]) -> str:
    from report import spread

    this, other = "this", "other"
    rows = [
        f"A/B, {out['shape']} shape, N = {out['n']:,}; load average at the start {out['load_at_start']:.2f}",
        "",
        f"| measure | this: {labels[this]} | other: {labels[other]} | this ÷ other |",
        "|---|---|---|---|",
    ]
    for key, label, field in (
        ("cold", "cold build, search on", "seconds"),
        ("cold", "… until its cache is saved", "settled"),
        ("cold", "CPU time of the cold build's processes (user + system)", "cpu"),
        ("prose_edit", "one brief's prose edited, then `briefing build`", "seconds"),
        ("prose_edit", "CPU time of that rebuild's processes", "cpu"),
        ("serve", "edit-to-page in `briefing serve`", "seconds"),
    ):
        a, b = out[key][this], out[key][other]
        rows.append(f"| {label} | {spread(a, field)} | {spread(b, field)} | {a[field] / b[field]:.3f}× |")
    a, b = out["cold"][this]["maxrss_mb"], out["cold"][other]["maxrss_mb"]
    rows.append(f"| peak memory, largest process (cold build) | {a:,.0f} MiB | {b:,.0f} MiB | {a / b:.3f}× |")
    return "\n".join(rows)


def main(args: argparse.Namespace) -> None:
    other_root = args.ab.resolve()
    sides = {"this": _ready(ROOT, "this", args.briefing), "other": _ready(other_root, "other")}
    labels = {"this": str(ROOT), "other": str(other_root)}
    for k, b in sides.items():
        version = subprocess.run([str(b.exe), "--version"], capture_output=True, text=True).stdout.strip()
        commit = subprocess.run(
            ["git", "-C", labels[k], "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        labels[k] = f"`{labels[k]}` ({version or 'briefing'} at {commit or '?'})"
    for n in args.sizes:
        for shape in args.shapes:
            print(f"A/B {shape}, N = {n:,}", flush=True)
            try:
                out = compare(shape, n, sides, args)
            finally:
                empty_trash()
            text = table(out, labels)
            print(text, flush=True)
            (WORK / f"ab-{shape}-{n}.json").write_text(json.dumps(out, indent=1))
            (WORK / f"ab-{shape}-{n}.md").write_text(text + "\n")
            print(f"wrote {WORK / f'ab-{shape}-{n}.md'}")
