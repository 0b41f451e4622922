"""``briefing build`` for two diagnostic measurements, never for the headline figures
(those run the installed ``briefing`` command itself):

- without ``--search``: the same Builder, cache and output, without the search index, as
  ``briefing build --no-search`` makes them (``sides.Briefing`` runs that command itself
  when ``--help`` lists the switch; this is for checkouts from before it);
- with ``--search``: a build as the command runs it, printing the builder's own
  per-stage times (``Result.timings``), which the command does not show;
- with ``--stock-markdown`` or ``--leave-out feeds|network``: a part swapped for its
  fallback or left out, for ``bench/variants.py``, which measures what each part costs.

Run it with the Python of the checkout's venv, so that it imports that checkout's
installed ``briefing``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from briefing.engine.builder import Builder
from briefing.pipeline import Options


def swap_parts(stock_markdown: bool, leave_out: list[str]) -> None:
    """Put a part's fallback in, or leave it out, before the build forks its workers."""
    if stock_markdown:
        from briefing.markdown import quick

        quick.TESTED = frozenset()  # as with an untested Python-Markdown: the stock passes
    if "feeds" in leave_out:
        from briefing.render.renderer import Renderer

        Renderer.record_feeds = lambda self: []  # type: ignore[method-assign]
    if "network" in leave_out:
        from briefing.render import network

        network.ego = lambda v, rid: None  # no actor's graph
        network.strongest = lambda pairs, v: []  # /network/ draws nothing: no layout


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("site", type=Path)
    p.add_argument("--clean", action="store_true")
    p.add_argument("--search", action="store_true")
    p.add_argument("--stock-markdown", action="store_true")
    p.add_argument("--leave-out", action="append", choices=["feeds", "network"], default=[])
    args = p.parse_args()
    swap_parts(args.stock_markdown, args.leave_out)
    options = Options(search=args.search)
    builder = Builder(args.site, args.site / "public", options, use_cache=True, clean=args.clean)
    builder.background_save = True  # as the command line does
    result = builder.build()
    print(
        f"{len(result.files)} files, {len(result.written)} written, {len(result.rendered)} rendered; "
        + " ".join(f"{k}={v:.3f}" for k, v in result.timings.items())
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # as the ``briefing`` script leaves (see ``briefing.cli.run``)
