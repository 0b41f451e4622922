"""bench/RESULTS.md from the measured results: every figure beside the configuration
that produced it, issue 21's table with this run's figures next to it, the targets.

Sides in the results: ``briefing``; ``hugo_plain`` and ``hugo_related`` (Hugo with plain
taxonomy templates, and with a ``.Related`` list on every brief), each ``+pagefind``
when search is on; ``pelican``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import notes
import peers
from sides import Briefing
from workdir import WORK

ROOT = Path(__file__).resolve().parent.parent
R = dict[str, Any]

# Issue 21's figures (10,000 briefs of an independently written corpus shaped like "cited").
ISSUE21 = (
    ("cold `briefing build`, search on (the default)", "68.1 s", "`hugo && pagefind --site public`: 24.6 s", "2.63×"),
    ("cold build without the search step", "22.0 s", "`hugo`: 10.6 s", "2.07×"),
    ("one brief's prose edited, then `briefing build` (3 edits)", "41.4 s (39.9–44.1)", "", ""),
    ("the same edit in `briefing serve`, until the page shows it", "48.7 s (single run)", "", ""),
    ("rebuild with nothing changed", "0.46 s (single run)", "", ""),
    ("peak memory, largest process, search on", "1,787 MiB", "Hugo + Pagefind: 1,778 MiB", "1.0×"),
    ("peak memory without search", "462 MiB", "Hugo: 1,085 MiB", "0.43×"),
    # not in the issue: this run's figures that say more on a shared machine
    ("cold `briefing build`, search on, until its cache is saved", "", "", ""),
    ("CPU time of a cold build, search on (user + system, all its processes)", "", "", ""),
    ("CPU time of a cold build without search", "", "", ""),
)


def describe(args: argparse.Namespace, me: Briefing) -> R:
    """What the report says about the run besides its figures."""

    def out(cmd: list[str]) -> str:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.strip()

    dirty = " (with uncommitted changes)" if out(["git", "status", "--porcelain", "--", "generator", "theme"]) else ""
    return {
        "argv": " ".join(sys.argv[1:]),
        "runs": args.runs,
        "themes": args.hugo_themes,
        "pelican": not args.no_pelican,
        "measures": args.measures,
        "machine": machine(),
        "versions": peers.versions(str(me.python)),
        "briefing": out([str(me.exe), "--version"]),
        "commit": out(["git", "rev-parse", "--short", "HEAD"]) + dirty,
        "no_search_via": me.no_search_label,
        "has_no_search": me.has_no_search,
    }


def machine() -> str:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cpu = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), "")
    mem = Path("/proc/meminfo").read_text().split()[1] if Path("/proc/meminfo").exists() else "0"
    return (
        f"{cpu or platform.processor()}, {os.cpu_count()} cores, {int(mem) / 1024**2:.0f} GiB; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}"
    )


def s(x: float | None) -> str:
    """Seconds, to three significant figures or so."""
    if x is None:
        return "–"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.0f} s" if x >= 100 else f"{x:.1f} s" if x >= 10 else f"{x:.2f} s"


def spread(d: R | None, key: str = "seconds") -> str:
    """A median with its range over the runs: "41.4 s (39.9–44.1 s)". ``key`` names the
    median (``seconds``, ``settled``, ``cpu``); the runs' values are beside it."""
    if not d:
        return "–"
    values = d.get("all" if key == "seconds" else f"{key}_all") or []
    median = d[key]
    if len(values) < 2:
        return s(median)
    low, high = s(min(values)), s(max(values))
    if low.split()[1:] == high.split()[1:]:  # the same unit: say it once
        low = low.split()[0]
    return f"{s(median)} ({low}–{high})"


def mib(x: float | None) -> str:
    return "–" if not x else f"{x:,.0f} MiB"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else ""


def side(r: R, measure: str, name: str) -> R | None:
    found: R | None = r.get(measure, {}).get(name)
    return found


def sec(r: R, measure: str, name: str, key: str = "seconds") -> float | None:
    d = side(r, measure, name)
    if d and key.startswith("tree") and not d.get(key):  # not sampled: a peer is one process at a time
        return d.get("maxrss_mb")
    return d.get(key) if d else None


def issue_table(r: R | None) -> str:
    """Issue 21's table with this run's figures beside it (the cited shape)."""
    head = (
        "| measure | issue 21: briefing | issue 21: peer | ratio | this run: briefing | "
        "this run: peer (Hugo, plain templates) | ratio | peer with `.Related` | ratio |\n"
        "|---|---|---|---|---|---|---|---|---|"
    )
    if r is None:
        return head + "\n| (the cited shape was not measured) |||||||||"
    mine = [
        ("cold_search", "briefing", "hugo_plain+pagefind", "hugo_related+pagefind", "seconds"),
        ("cold_nosearch", "briefing", "hugo_plain", "hugo_related", "seconds"),
        ("prose_edit", "briefing", None, None, "seconds"),
        ("serve", "briefing", "hugo_plain", None, "seconds"),
        ("nochange", "briefing", None, None, "seconds"),
        ("cold_search", "briefing", "hugo_plain+pagefind", "hugo_related+pagefind", "maxrss_mb"),
        ("cold_nosearch", "briefing", "hugo_plain", "hugo_related", "maxrss_mb"),
        ("cold_search", "briefing", None, None, "settled"),
        ("cold_search", "briefing", "hugo_plain+pagefind", "hugo_related+pagefind", "cpu"),
        ("cold_nosearch", "briefing", "hugo_plain", "hugo_related", "cpu"),
    ]
    rows = [head]
    for (label, b21, p21, x21), (measure, me, plain, related, key) in zip(ISSUE21, mine, strict=True):
        show = mib if key == "maxrss_mb" else None
        b = sec(r, measure, me, key)
        p = sec(r, measure, plain, key) if plain else None
        q = sec(r, measure, related, key) if related else None
        bs = show(b) if show else spread(side(r, measure, me), key)
        ps = (show(p) if show else spread(side(r, measure, plain), key)) if plain else ""
        qs = (show(q) if show else spread(side(r, measure, related), key)) if related else ""
        if measure == "serve" and plain:
            ps = f"`hugo server`: {ps}"
        rows.append(f"| {label} | {b21} | {p21} | {x21} | {bs} | {ps} | {ratio(b, p)} | {qs} | {ratio(b, q)} |")
    return "\n".join(rows)


def _row(r: R, label: str, measure: str, names: tuple[str, str, str], key: str) -> str | None:
    """A row of ``shape_table``: briefing, then the three peers, then the ratios to Hugo's."""
    b = sec(r, measure, "briefing", key)
    if b is None:
        return None
    vals = [sec(r, measure, x, key) if x else None for x in names]
    cells = [
        (mib(v) if key.endswith("mb") else spread(side(r, measure, x), key)) if x and v is not None else "–"
        for x, v in zip(names, vals, strict=True)
    ]
    mine = mib(b) if key.endswith("mb") else spread(side(r, measure, "briefing"), key)
    return f"| {r['n']:,} | {label} | {mine} | {' | '.join(cells)} | {ratio(b, vals[0])} | {ratio(b, vals[1])} |"


def shape_table(results: list[R]) -> str:
    """Every figure of one shape, size by size."""
    rows = [
        "| N | measure | briefing | Hugo, plain | Hugo, `.Related` | Pelican | ÷ plain | ÷ `.Related` |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        n = f"{r['n']:,}"

        def row(label: str, measure: str, names: tuple[str, str, str], key: str = "seconds", r: R = r) -> None:
            line = _row(r, label, measure, names, key)
            if line:
                rows.append(line)

        search = ("hugo_plain+pagefind", "hugo_related+pagefind", "")
        plain = ("hugo_plain", "hugo_related", "pelican")
        none = ("", "", "")
        row("cold build, search on (peers: then `pagefind --site public`)", "cold_search", search)
        if side(r, "cold_search", "briefing"):
            d = side(r, "cold_search", "briefing")
            rows.append(f"| {n} | … until its cache is saved (in the background) | {spread(d, 'settled')} ||||||")
        row("cold build without search", "cold_nosearch", plain)
        row("CPU time of all its processes (user + system), cold build, search on", "cold_search", search, "cpu")
        row("CPU time of all its processes, cold build without search", "cold_nosearch", plain, "cpu")
        row("rebuild, nothing changed (Hugo has no cache)", "nochange", none)
        row("rebuild, one brief's prose edited", "prose_edit", none)
        row("rebuild, a link added to one brief", "link_edit", none)
        for key, label in (("maxrss_mb", "largest process"), ("tree_pss_mb", "process tree, PSS")):
            row(f"peak memory, {label}, search on", "cold_search", search, key)
            row(f"peak memory, {label}, no search", "cold_nosearch", plain, key)
        serve = r.get("serve")
        if serve:
            b, h = serve["briefing"], serve["hugo_plain"]
            rows.append(
                f"| {n} | edit-to-page in serve (`briefing serve` / `hugo server`), median of {len(b['all'])} | "
                f"{spread(b)} | {spread(h)} | | | "
                f"{ratio(b['seconds'], h['seconds'])} | |"
            )
            rows.append(f"| {n} | serve's first build | {s(b['first_build'])} | {s(h['first_build'])} | | | | |")
        pages, indexed = r.get("pages", {}), r.get("indexed", {})
        rows.append(
            f"| {n} | HTML pages written | {pages.get('briefing', 0):,} | {pages.get('hugo', 0):,} | "
            f"{pages.get('hugo', 0):,} | {pages.get('pelican', 0):,} | | |"
        )
        if indexed:
            rows.append(
                f"| {n} | pages in the search index | {indexed.get('briefing') or 0:,} | "
                f"{indexed.get('hugo') or 0:,} | {indexed.get('hugo') or 0:,} | | | |"
            )
    return "\n".join(rows)


def stage_table(results: list[R]) -> str:
    rows = [
        "| shape | N | parse | resolve | render | search | write | cache state | save or fork the saver "
        "| other | total "
        "| Pagefind CLI on Hugo's pages | Hugo (plain) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        st = r.get("stages")
        if not st:
            continue
        if "steps" in st:  # the search stage's name before it was a stage of its own
            st = {**st, "search": st["steps"]}
        known = ("parse", "resolve", "render", "search", "write", "state", "save")
        other = st["total"] - sum(st.get(k, 0.0) for k in known)
        parts = (side(r, "cold_search", "hugo_plain+pagefind") or {}).get("parts", {})
        cells = " | ".join(s(st.get(k)) for k in known)
        rows.append(
            f"| {r['shape']} | {r['n']:,} | {cells} | {s(other)} | {s(st['total'])} | "
            f"{s(parts.get('pagefind'))} | {s(parts.get('hugo'))} |"
        )
    return "\n".join(rows)


def targets(r: R, large: R | None) -> str:
    """Issue 21's targets at 10,000 briefs (or the largest size measured)."""
    rows = ["| target | figure | met? |", "|---|---|---|"]

    def row(name: str, value: float | None, limit: float, unit: str) -> None:
        if value is None:
            rows.append(f"| {name} | not measured | |")
            return
        over = value / limit
        verdict = "yes" if value <= limit else f"no, {over:.2f}× over" if over < 1.1 else f"no, {over:.1f}× over"
        shown = f"{value:.2f}{unit}" if unit != " MiB" else f"{value:,.0f}{unit}"
        rows.append(f"| {name} | {shown} (limit {limit:g}{unit}) | {verdict} |")

    b, plain = sec(r, "cold_search", "briefing"), sec(r, "cold_search", "hugo_plain+pagefind")
    row(
        "cold build, search on ≤ 1.5× `hugo && pagefind` (plain templates)",
        b / plain if b and plain else None,
        1.5,
        "×",
    )
    row("moonshot: the same ≤ 1.0×", b / plain if b and plain else None, 1.0, "×")
    b, plain = sec(r, "cold_nosearch", "briefing"), sec(r, "cold_nosearch", "hugo_plain")
    row("cold build, search off ≤ 1.0× plain Hugo", b / plain if b and plain else None, 1.0, "×")
    row("one brief's prose edited, search on ≤ 3 s", sec(r, "prose_edit", "briefing"), 3, " s")
    serve = r.get("serve", {}).get("briefing")
    row("edit-to-page in `briefing serve` ≤ 150 ms", serve["seconds"] * 1000 if serve else None, 150, " ms")
    b, peer = sec(r, "cold_search", "briefing", "maxrss_mb"), sec(r, "cold_search", "hugo_plain+pagefind", "maxrss_mb")
    row("largest process below Hugo + Pagefind's", b / peer if b and peer else None, 1.0, "×")
    if large:
        per = [(x["cold_search"]["briefing"]["seconds"] / x["n"]) for x in (r, large)]
        row(f"cost per page at {large['n']:,} ≤ 1.2× at {r['n']:,}", per[1] / per[0], 1.2, "×")
        row(
            f"peak memory at {large['n']:,} under 4 GiB",
            sec(large, "cold_search", "briefing", "maxrss_mb"),
            4096,
            " MiB",
        )
    else:
        rows.append("| scale: 100,000 briefs | measured by `make bench-large` (RESULTS-large.md) | |")
    return "\n".join(rows)


def scale(results: list[R], reference: dict[str, R]) -> str:
    """Cost per brief of a cold build with search, size by size."""
    rows = [
        "| shape | N | cold build, search on | per brief | × the per-brief cost at the smallest N |",
        "|---|---|---|---|---|",
    ]
    for shape in dict.fromkeys(r["shape"] for r in results):
        mine = [r for r in ([reference[shape]] if shape in reference else []) + results if r["shape"] == shape]
        mine = [r for r in mine if sec(r, "cold_search", "briefing")]
        if not mine:
            continue
        base = sec(mine[0], "cold_search", "briefing") / mine[0]["n"]  # type: ignore[operator]
        for r in mine:
            t = sec(r, "cold_search", "briefing") or 0.0
            rows.append(f"| {shape} | {r['n']:,} | {s(t)} | {t / r['n'] * 1000:.2f} ms | {t / r['n'] / base:.2f}× |")
    return "\n".join(rows)


def _target_sizes(cited: list[R], reference: R | None) -> tuple[R | None, R | None]:
    """The cited results the targets are judged on (10,000 briefs where measured, in this
    run or the last ``make bench``; else the largest size) and a larger size, for scale."""
    sizes = {r["n"]: r for r in cited}
    if reference is not None:
        sizes.setdefault(reference["n"], reference)
    if not sizes:
        return None, None
    at = sizes.get(10000) or sizes[max(sizes)]
    larger = [n for n in sizes if n > at["n"]]
    return at, sizes[max(larger)] if larger else None


def write(results: list[R], meta: R, path: Path, reference: dict[str, R]) -> None:
    by_shape: dict[str, list[R]] = {}
    for r in results:
        by_shape.setdefault(r["shape"], []).append(r)
    at, large = _target_sizes(by_shape.get("cited", []), reference.get("cited"))
    v, text = meta["versions"], notes.parts()
    loads = ", ".join(f"{r['shape']} {r['n']:,}: {r['load_at_start']:.2f}→{r['load_at_end']:.2f}" for r in results)
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (`bench/run.py {meta.get('argv', '')}`), run {meta['started']}, "
        f"{meta.get('minutes', 0):.0f} minutes. Medians of {meta['runs']} paired runs (each round runs every "
        "side once, in turn), ranges in brackets.",
        "",
        f"- Measured: {meta['briefing']} at commit {meta['commit']}, the installed command "
        f"(`.venv/bin/briefing`) with its default settings; Hugo {v['hugo']}, Pagefind {v['pagefind']}, "
        f"Pelican {v['pelican']}{'' if meta['pelican'] else ' (left out of this run)'}.",
        f"- Machine: {meta['machine']}.",
        f"- Load average (1 min) before the run: {meta['load_before'][0]:.2f}, after: {meta['load_after'][0]:.2f}; "
        f"at the start and end of each size: {loads}. Other sessions share this machine's cores: "
        "ratios within one paired run are firmer than the absolute figures.",
        "",
        f"## Issue 21's table, measured again ({'cited' if at else '–'} shape, N = {at['n'] if at else 0:,}"
        + (", from the last `make bench`)" if at is not None and at not in results else ")"),
        "",
        issue_table(at),
        "",
        text["config"].replace("{no_search}", meta["no_search_via"]),
        "",
    ]
    for shape, rs in by_shape.items():
        lines += [f"## All figures: the {shape} shape", "", text[f"shape {shape}"], "", shape_table(rs), ""]
    lines += ["## Where a cold build's time goes, search on", "", text["stages"], "", stage_table(results), ""]
    if at is not None:
        lines += [f"## Issue 21's targets (cited shape, N = {at['n']:,})", "", targets(at, large), ""]
    lines += ["## Scale", "", scale(results, reference), "", text["reading"], ""]
    lines += measured_apart()
    lines += [text["measurements"], ""]
    prof = meta.get("profile")
    if prof:
        lines += [
            f"## Profile of a cold build with search (cProfile, {prof['shape']} shape, N = {prof['n']:,}, one process)",
            "",
            "```",
            prof["text"],
            "```",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {path}")


def measured_apart() -> list[str]:
    """The A/B comparisons (``run.py --ab``) and what single parts cost (``variants.py``),
    as last written to bench/work/, each with its own medians."""
    found = sorted(WORK.glob("ab-*.md")) + sorted(WORK.glob("parts-*.md")) + sorted(WORK.glob("catchup-*.md"))
    if not found:
        return []
    lines = ["## Measured apart: A/B, and what single parts cost", "", notes.parts()["apart"], ""]
    for path in found:
        lines += [f"`bench/work/{path.name}`:", "", path.read_text(encoding="utf-8").strip(), ""]
    return lines
