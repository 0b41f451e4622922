"""``briefing build`` for the benchmark: the same Builder, cache and output, with the
search step (a Pagefind index, which Hugo and Pelican do not make) left out
unless ``--search`` is given, so the three generators do the same work."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefing.engine.builder import Builder
from briefing.pipeline import Options


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("site", type=Path)
    p.add_argument("--clean", action="store_true")
    p.add_argument("--search", action="store_true")
    args = p.parse_args()
    builder = Builder(args.site, args.site / "public", Options(), use_cache=True, clean=args.clean)
    builder.background_save = True  # as the command line does
    if not args.search:
        builder.steps = []
    result = builder.build()
    print(
        f"{len(result.files)} files, {len(result.written)} written, {len(result.rendered)} rendered; "
        + " ".join(f"{k}={v:.2f}" for k, v in result.timings.items())
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # as the ``briefing`` script leaves (see ``briefing.cli.run``)
