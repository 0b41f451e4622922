"""What single parts cost a cold build, each measured by leaving it out.

    .venv/bin/python bench/variants.py [--sizes 10000] [--shapes cited linked] [--runs 3]

Paired cold builds of one corpus (no cache, no output, no search index: none of these
parts changes what the index is made of) through ``bench/briefing_build.py``, the sides
alternating run by run:

- as installed;
- with Python-Markdown's stock passes instead of the compat layer
  (``briefing.markdown.quick``): the project keeps an override of a library's private
  parts only where it earns at least a tenth of a cold build;
- without the Atom feed of every actor, event, outcome and tag, and without the actor
  network (each actor's graph and /network/'s layout): each may add at most a tenth.

Writes medians, ranges and each part's share to bench/work/parts-<shape>-<n>.md, which
``make bench``'s report includes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from measure import Run, run
from sides import checked, paired
from workdir import BENCH, WORK, clear, prepare, settle

VARIANTS = {
    "as installed": [],
    "stock Markdown passes (the compat layer's fallback)": ["--stock-markdown"],
    "without record feeds": ["--leave-out", "feeds"],
    "without the network": ["--leave-out", "network"],
}


def cold(site: Path, flags: list[str]) -> object:
    def once(sample: bool) -> Run:
        settle(site)
        clear(site / "public")
        clear(site / ".briefing-cache")
        cmd = [sys.executable, str(BENCH / "briefing_build.py"), ".", "--clean", *flags]
        return checked(run(cmd, cwd=site, sample=sample), "cold build")

    return once


def measure(shape: str, n: int, runs: int) -> str:
    corpus = prepare(shape, n) / "briefing"
    sides = {}
    for i, (name, flags) in enumerate(VARIANTS.items()):
        to = WORK / "parts" / shape / str(n) / str(i)
        clear(to)
        shutil.copytree(corpus, to, ignore=shutil.ignore_patterns("public", ".briefing-cache"))
        sides[name] = cold(to, flags)
    stats = paired("cold, no search", sides, runs)  # type: ignore[arg-type]
    base = stats["as installed"]["seconds"]
    lines = [
        f"| {shape} shape, N = {n:,}: cold build without search, medians of {runs} paired runs "
        "| seconds | CPU s | the part's share of the build as installed |",
        "|---|---|---|---|",
    ]
    for name, s in stats.items():
        share = "" if name == "as installed" else f"{(base - s['seconds']) / base:+.0%}"
        if name.startswith("stock"):
            share = f"the layer saves {(s['seconds'] - base) / s['seconds']:.0%} of the stock build"
        lines.append(
            f"| {name} | {s['seconds']:.2f} ({min(s['all']):.2f}–{max(s['all']):.2f}) | {s['cpu']:.1f} | {share} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10000])
    p.add_argument("--shapes", nargs="+", default=["cited", "linked"], choices=["cited", "linked"])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    for shape in args.shapes:
        for n in args.sizes:
            table = measure(shape, n, args.runs)
            print(table, flush=True)
            (WORK / f"parts-{shape}-{n}.md").write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
