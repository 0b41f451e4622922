"""``briefing build`` for two diagnostic measurements, never for the headline figures
(those run the installed ``briefing`` command itself):

- without ``--search``: the same Builder, cache and output, without the search index, as
  ``briefing build --no-search`` makes them (``sides.Briefing`` runs that command itself
  when ``--help`` lists the switch; this is for checkouts from before it);
- with ``--search``: a build as the command runs it, printing the builder's own
  per-stage times (``Result.timings``), which the command does not show.

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


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("site", type=Path)
    p.add_argument("--clean", action="store_true")
    p.add_argument("--search", action="store_true")
    args = p.parse_args()
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
