"""`make bench`: `briefing build` as users run it, beside Hugo (+ Pagefind) and Pelican.

For each corpus shape (``linked``, ``cited``: see ``workdir``) and size it writes the
corpus three ways (bench/work/<shape>/<n>/, git-ignored), then measures, as medians of
paired runs (every round runs each side once in turn): the cold build with search
(briefing's default; the peer is ``hugo`` then ``pagefind --site public``), the cold
build without search, a rebuild with nothing changed, a rebuild after editing one
brief's prose, the edit-to-page time in ``briefing serve`` beside ``hugo server``, peak
memory, and where a cold build's time goes. It prints progress and writes
bench/RESULTS.md.

``--ab OTHER_CHECKOUT`` compares this checkout's ``briefing`` with another's instead
(see ``ab.py``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import peers  # noqa: E402
import report  # noqa: E402
from edit_to_page import Server, briefing_serve, free_port, hugo_server  # noqa: E402
from measure import run  # noqa: E402
from sides import Briefing, Side, checked, hugo_cold, paired, pelican_cold  # noqa: E402
from workdir import (  # noqa: E402
    TRASH,
    WORK,
    Restored,
    append,
    clear,
    empty_trash,
    html_count,
    indexed_pages,
    prepare,
    settle,
    wait_for_freed_inodes,
)

PY = sys.executable
MEASURES = ("nosearch", "cold", "stages", "nochange", "edit", "link", "serve")
DEFAULT_MEASURES = ("nosearch", "cold", "stages", "nochange", "edit", "serve")


def cold_series(ctx: dict[str, Any], out: dict[str, Any], search: bool) -> None:
    site, hsite, psite = ctx["root"] / "briefing", ctx["root"] / "hugo", ctx["root"] / "pelican"
    me: Briefing = ctx["me"]
    sides: dict[str, Side] = {"briefing": me.cold(site, search=search)}
    for theme in ctx["themes"]:
        sides[f"hugo_{theme}{'+pagefind' if search else ''}"] = hugo_cold(hsite, theme, search)
    if not search and ctx["pelican"]:
        sides["pelican"] = pelican_cold(psite, PY)
    key = "cold_search" if search else "cold_nosearch"
    out[key] = paired("cold" if search else "cold, no search", sides, ctx["runs"], sampled=("briefing",))
    pages = out.setdefault("pages", {})
    pages["briefing"] = html_count(site / "public")
    pages["hugo"] = html_count(hsite / "public")
    if "pelican" in sides:
        pages["pelican"] = html_count(psite / "output")
    if search:
        out["indexed"] = {"briefing": indexed_pages(site / "public"), "hugo": indexed_pages(hsite / "public")}
    ctx["warm"] = search


def stages(ctx: dict[str, Any], out: dict[str, Any]) -> None:
    """Per-stage times of a cold build with search, from the builder's own clock
    (``Result.timings``), via ``briefing_build.py --search``."""
    site = ctx["root"] / "briefing"
    me: Briefing = ctx["me"]
    settle(site)
    clear(site / "public")
    clear(site / ".briefing-cache")
    r = checked(
        run([str(me.python), str(BENCH / "briefing_build.py"), ".", "--search", "--clean"], cwd=site),
        "briefing_build.py --search",
    )
    timings = dict(item.split("=") for item in r.output.split() if "=" in item)
    out["stages"] = {"total": r.seconds, "settled": r.settled, **{k: float(v) for k, v in timings.items()}}
    print(f"    stages: {out['stages']}", flush=True)
    ctx["warm"] = True


def warm(ctx: dict[str, Any]) -> None:
    """The state a rebuild starts from: that of a build with search (the default)."""
    if not ctx.get("warm"):
        site = ctx["root"] / "briefing"
        settle(site)
        checked(run(ctx["me"].build(), cwd=site), "briefing build")
        ctx["warm"] = True


def rebuilds(ctx: dict[str, Any], out: dict[str, Any]) -> None:
    site, me = ctx["root"] / "briefing", ctx["me"]
    warm(ctx)
    if "nochange" in ctx["measures"]:
        out["nochange"] = paired("nothing changed", {"briefing": me.again(site)}, ctx["runs"])
    brief = site / "content/briefs/brief-3.md"
    if "edit" in ctx["measures"]:
        with Restored(brief):

            def prose(i: int) -> None:
                append(brief, f"A plain sentence added by edit {i} at {time.time_ns()}.")

            out["prose_edit"] = paired("prose edit", {"briefing": me.again(site, prose)}, ctx["runs"])
    if "link" in ctx["measures"]:
        linked = site / "content/briefs/brief-4.md"
        text = linked.read_text(encoding="utf-8")
        actors = sorted(p.stem for p in (site / "content/actors").iterdir())
        unlinked = [a for a in reversed(actors) if a not in text]  # a repeated link changes no index
        with Restored(linked):

            def link(i: int) -> None:
                append(linked, f"It also concerns [[{unlinked[i]}]].")

            out["link_edit"] = paired("link edit", {"briefing": me.again(site, link)}, ctx["runs"])


def serve(ctx: dict[str, Any], out: dict[str, Any]) -> None:
    """``briefing serve`` and ``hugo server`` (plain theme) side by side, edits alternating."""
    root, me = ctx["root"], ctx["me"]
    bport, hport = free_port(), free_port()
    hugo = hugo_server(peers.hugo_binary(), root / "hugo", root / "hugo-serve-out", hport)
    times: dict[str, list[float]] = {"briefing": [], "hugo_plain": []}
    with (
        Server(briefing_serve(str(me.exe), bport), root / "briefing", bport, "brief-5") as b,
        Server(hugo, root / "hugo", hport, "brief-5") as h,
    ):
        for i in range(ctx["serve_edits"]):
            times["briefing"].append(b.edit())
            times["hugo_plain"].append(h.edit())
            print(f"    serve edit {i + 1}: {times['briefing'][-1]:.3f} s, hugo {times['hugo_plain'][-1]:.3f} s")
    first = {"briefing": b.first_build, "hugo_plain": h.first_build}
    out["serve"] = {
        name: {"seconds": sorted(t)[len(t) // 2], "all": [round(x, 3) for x in t], "first_build": first[name]}
        for name, t in times.items()
    }


def bench_size(shape: str, n: int, args: argparse.Namespace) -> dict[str, Any]:
    root = prepare(shape, n)
    out: dict[str, Any] = {"shape": shape, "n": n, "load_at_start": os.getloadavg()[0]}
    me = Briefing(args.briefing)
    out["no_search_via"] = me.no_search_label
    ctx: dict[str, Any] = {
        "root": root,
        "me": me,
        "runs": args.runs,
        "themes": args.hugo_themes,
        "pelican": not args.no_pelican,
        "measures": args.measures,
        "serve_edits": args.serve_edits,
    }
    if "nosearch" in args.measures:
        cold_series(ctx, out, search=False)
    if "cold" in args.measures:
        cold_series(ctx, out, search=True)
    if "stages" in args.measures:
        stages(ctx, out)
    if {"nochange", "edit", "link"} & set(args.measures):
        rebuilds(ctx, out)
    if "serve" in args.measures:
        serve(ctx, out)
    settle(root / "briefing")
    out["load_at_end"] = os.getloadavg()[0]
    return out


def profile(shape: str, n: int) -> str:
    """Top costs of a cold build with search in one process (workers and the Markdown
    converted ahead off, so the profile sees everything)."""
    from briefing.engine import parallel, rendering
    from briefing.engine.builder import Builder
    from briefing.pipeline import Options

    site = prepare(shape, n) / "briefing"
    parallel.MIN_PAGES = 10**9
    rendering.AHEAD_BRIEFS = 10**9
    builder = Builder(site, WORK / f"profile-{shape}-{n}", Options())
    prof = cProfile.Profile()
    prof.enable()
    builder.build()
    prof.disable()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("tottime").print_stats(20)
    lines = [line for line in text.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(
        line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
        for line in [lines[start - 2] if start >= 2 else "", *lines[start:]]
    )


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--shapes", nargs="+", choices=("linked", "cited"), default=["linked", "cited"])
    p.add_argument("--runs", type=int, default=3, help="paired rounds per measure")
    p.add_argument("--measures", nargs="+", choices=MEASURES, default=list(DEFAULT_MEASURES))
    p.add_argument(
        "--hugo-themes",
        nargs="*",
        choices=peers.HUGO_THEMES,
        default=list(peers.HUGO_THEMES),
        help="the peers to run beside briefing; none (the switch alone) runs briefing alone",
    )
    p.add_argument("--no-pelican", action="store_true", help="leave Pelican's cold build out")
    p.add_argument("--serve-edits", type=int, default=3)
    p.add_argument("--briefing", type=Path, default=ROOT / ".venv/bin/briefing", help="the briefing to measure")
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--results", type=Path, default=BENCH / "RESULTS.md")
    p.add_argument("--reference", type=int, default=10000, help="the size whose per-page cost others are held to")
    p.add_argument("--report-only", action="store_true", help="write the report again from bench/work/*.json")
    p.add_argument("--ab", type=Path, metavar="OTHER_CHECKOUT", help="compare with another checkout (ab.py)")
    return p.parse_args(argv)


def saved_path(shape: str, n: int) -> Path:
    return WORK / f"results-{shape}-{n}.json"


def measure_all(args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    if TRASH.exists():  # left by a run that was stopped
        empty_trash()
        wait_for_freed_inodes()
    jobs = [(shape, n) for n in args.sizes for shape in args.shapes]
    for i, (shape, n) in enumerate(jobs):
        print(f"{shape}, N = {n:,}", flush=True)
        try:
            results.append(bench_size(shape, n, args))
        finally:
            empty_trash()
        saved_path(shape, n).write_text(json.dumps(results[-1], indent=1))
        if i + 1 < len(jobs) and n >= 2000:  # thousands of files freed (see ``workdir.clear``)
            wait_for_freed_inodes()
    return results


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    if args.ab is not None:
        import ab

        ab.main(args)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    run_file = WORK / f"run-{args.results.stem}.json"
    if args.report_only:
        results = [json.loads(saved_path(s, n).read_text()) for n in args.sizes for s in args.shapes]
        meta = json.loads(run_file.read_text())
    else:
        meta = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_before": os.getloadavg()}
        meta.update(report.describe(args, Briefing(args.briefing)))  # the commit measured, before any other
        started = time.perf_counter()
        results = measure_all(args)
        meta.update(load_after=os.getloadavg(), minutes=(time.perf_counter() - started) / 60)
        if not args.no_profile:
            shape = "cited" if "cited" in args.shapes else args.shapes[0]
            meta["profile"] = {"shape": shape, "n": min(args.sizes), "text": profile(shape, min(args.sizes))}
        run_file.write_text(json.dumps(meta, indent=1))
    reference = {}
    for shape in args.shapes:
        path = saved_path(shape, args.reference)
        if args.reference not in args.sizes and path.exists():  # held to the last `make bench`'s figures
            reference[shape] = json.loads(path.read_text())
    report.write(results, meta, args.results, reference)


if __name__ == "__main__":
    main()
