"""Regenerate docs/screenshots/: key pages of the bundled site at desktop and phone widths.

Run from the repository root: ``.venv/bin/python -m tests.quality.screenshots``
(add ``--dark`` for the dark colour scheme, ``--out DIR`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.quality.browser import chromium
from tests.quality.build import REPO, build_site
from tests.quality.nginx import free_port, serve

PAGES = {
    "home": "",
    "event": "events/csto-summit-2025/",
    "brief": "briefs/csto-summit-at-a-glance/",
    "actor": "actors/vladimir-putin/",
    "tracker": "outcomes/",
    "timeline": "timeline/",
}
# A part of a page also taken whole at a width (``NAME-WIDTH-answers.png``): the event page's
# first screen answers where, when, who came, what was decided on whose word and what to
# watch on a desktop; on a phone the same answers stack, one after another.
PARTS = {("event", 390): ".event-top"}
# Further pages, for a look while working on the theme (--only NAME); not in docs/screenshots/.
MORE = {
    "watch": "watch/",
    "outcome": "outcomes/csto-equipment-programme/",
    "source": "sources/izvestia-report/",
    "actors": "actors/",
    "briefs": "briefs/",
    "search": "search/",
    "date": "dates/2025-11/",
    "404": "404.html",
}
WIDTHS = {"desktop": 1280, "mobile": 390}
HEIGHTS = {"desktop": 900, "mobile": 844}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--dark", action="store_true", help="also take the dark colour scheme")
    parser.add_argument("--full", action="store_true", help="whole pages, not the first screen")
    parser.add_argument("--only", nargs="*", help="page names to take (default: all)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    schemes = ["light", "dark"] if args.dark else ["light"]
    with tempfile.TemporaryDirectory() as tmp:
        site = build_site(Path(tmp) / "public")
        with serve(site, Path(tmp) / "nginx", free_port()) as base, chromium() as browser:
            for device, width in WIDTHS.items():
                for scheme in schemes:
                    page = browser.new_page(viewport={"width": width, "height": HEIGHTS[device]}, color_scheme=scheme)  # type: ignore[arg-type]
                    for name, path in {**PAGES, **MORE}.items():
                        if (args.only and name not in args.only) or (not args.only and name in MORE):
                            continue
                        page.goto(base + path, wait_until="networkidle")
                        suffix = "" if scheme == "light" else "-dark"
                        target = args.out / f"{name}-{width}{suffix}.png"
                        page.screenshot(path=str(target), full_page=args.full)
                        print(target.relative_to(REPO) if target.is_relative_to(REPO) else target)
                        part = PARTS.get((name, width))
                        if part and scheme == "light":
                            answers = target.with_name(f"{target.stem}-answers.png")
                            page.locator(part).screenshot(path=str(answers))
                            print(answers.relative_to(REPO) if answers.is_relative_to(REPO) else answers)
                    page.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
