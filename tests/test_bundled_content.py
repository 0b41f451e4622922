"""Checks on the bundled showcase content in ``content/``.

These tests read the files with PyYAML and drive the generator only through its
command line, so they do not depend on the generator's internal API.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"

# The six people the two source articles name; each needs an actor record.
NAMED_PEOPLE = [
    "Vladimir Putin",
    "Alexander Lukashenko",
    "Darya Saprynskaya",
    "Alexander Korolev",
    "Tomas Zdechovsky",
    "Egor Sergeev",
]

SUMMIT = "csto-summit-2025"
PUTIN = "vladimir-putin"
PROGRAMME = "csto-equipment-programme"

# Curly double and single quotes, en and em dashes.
_TYPOGRAPHY = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2013": "-",
        "\u2014": "-",
    }
)


def normalise(text: str) -> str:
    """Text as the quote check compares it: typography and white space folded."""
    return " ".join(text.translate(_TYPOGRAPHY).split())


def split_front_matter(path: Path) -> tuple[dict[str, Any], str]:
    """The YAML front matter and the body of a Markdown record."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{path} has no front matter"
    end = text.index("\n---\n", 4)
    return yaml.safe_load(text[4:end]), text[end + 5 :]


def source_quotes() -> list[tuple[str, str, str]]:
    """(source file name, quote text, source body) for every quote in a .md source."""
    found: list[tuple[str, str, str]] = []
    for path in sorted((CONTENT / "sources").glob("*.md")):
        data, body = split_front_matter(path)
        for quote in data.get("quotes") or []:
            found.append((path.name, quote["text"], body))
    return found


@pytest.mark.parametrize(("source", "text", "body"), source_quotes())
def test_quote_is_verbatim_in_its_source(source: str, text: str, body: str) -> None:
    assert normalise(text) in normalise(body), f"{source}: quote not in text: {text!r}"


def test_sources_carry_quotes() -> None:
    assert len(source_quotes()) >= 10


@pytest.mark.parametrize("person", NAMED_PEOPLE)
def test_every_named_person_has_an_actor(person: str) -> None:
    names: set[str] = set()
    for path in (CONTENT / "actors").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("kind") == "person":
            names.add(data["name"])
            names.update(data.get("aliases") or [])
    assert person in names


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "briefing", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_reports_nothing() -> None:
    result = run_cli("check", "--site", str(ROOT), "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == [], result.stdout


class _Hrefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def linked_paths(page: Path, page_path: str) -> set[str]:
    """URL paths a page links to, relative links resolved against its own path."""
    parser = _Hrefs()
    parser.feed(page.read_text(encoding="utf-8"))
    base = f"http://site.invalid{page_path}"
    return {urlsplit(urljoin(base, href)).path for href in parser.hrefs}


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("public")
    result = run_cli("build", "--site", str(ROOT), "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


PAGES = {SUMMIT: "events", PUTIN: "actors", PROGRAMME: "outcomes"}


@pytest.mark.parametrize(
    ("source", "target"),
    [(a, b) for a in PAGES for b in PAGES if a != b],
)
def test_summit_putin_and_programme_link_both_ways(built_site: Path, source: str, target: str) -> None:
    page_path = f"/{PAGES[source]}/{source}/"
    page = built_site / PAGES[source] / source / "index.html"
    suffix = f"/{PAGES[target]}/{target}/"
    paths = linked_paths(page, page_path)
    assert any(p.endswith(suffix) or p.endswith(suffix + "index.html") for p in paths), (
        f"{page_path} does not link to {suffix}"
    )


def outcomes() -> list[tuple[str, dict[str, Any]]]:
    return [
        (p.stem, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted((CONTENT / "outcomes").glob("*.yaml"))
    ]


@pytest.mark.parametrize(("name", "outcome"), outcomes())
def test_no_status_on_the_tracker_rests_on_no_source(name: str, outcome: dict[str, Any]) -> None:
    """Each outcome's status, and each status in its history, cites the source that reports it."""
    updates = outcome.get("updates") or []
    said = [u for u in updates if u.get("status") == outcome["status"]]
    assert said or outcome.get("sources"), f"{name}: status '{outcome['status']}' cites no source"
    for i, update in enumerate(updates):
        assert update.get("sources"), f"{name}: updates[{i}] cites no source"


@pytest.mark.parametrize(("name", "outcome"), outcomes())
def test_a_pledge_or_an_announcement_is_not_shown_as_adopted(name: str, outcome: dict[str, Any]) -> None:
    """Adopted means the members agreed; what one side says it will do is announced."""
    if outcome["kind"] == "pledge" or "announced" in (outcome.get("summary") or ""):
        assert outcome["status"] != "adopted", name


def _text(page: Path, start: str, end: str) -> str:
    html = page.read_text(encoding="utf-8")
    at = html.index(start)
    part = html[at : html.index(end, at)]
    return " ".join(re.sub(r"<[^>]+>", " ", part).replace("&#39;", "'").split())


def test_the_summit_page_answers_where_when_who_what_on_whose_word_and_what_next(built_site: Path) -> None:
    page = built_site / "events" / SUMMIT / "index.html"
    box = _text(page, '<section class="infobox"', "</section>")
    assert "Date 27 November 2025" in box
    assert "Place Bishkek [2] , Kyrgyzstan ed.2" in box  # the country is general knowledge, marked so
    assert "Participants Vladimir Putin , Collective Security Treaty Organization" in box
    assert "others not reported" in box and "Host Not reported" in box
    produced = [name for name, o in outcomes() if o["event"] == SUMMIT]
    table = _text(page, '<section class="decisions"', "</section>")
    assert table.count("27 Nov 2025") == len(produced) == 6
    assert table.count("Single source") == 5  # only the equipment programme rests on both sources
    watch = _text(page, '<section class="watch"', "</section>")
    for item in ("2026 expert forum", "counter-terrorism strategy", "at least three", "China"):
        assert item in watch


def test_the_mechanism_that_predates_the_summit_is_background_not_an_outcome(built_site: Path) -> None:
    assert "preferential" not in (built_site / "outcomes" / "index.html").read_text(encoding="utf-8").lower()
    background = _text(built_site / "events" / SUMMIT / "index.html", 'id="background"', "</section>")
    assert "Preferential terms for allies buying Russian-made weapons" in background


def test_scheduled_or_proposed_lists_each_thing_once(built_site: Path) -> None:
    panel = (built_site / "index.html").read_text(encoding="utf-8")
    at = panel.index('id="ahead"')
    links = re.findall(r'href="/(events|outcomes)/([\w-]+)/"', panel[at : panel.index("</section>", at)])
    assert ("events", "eurasian-security-forum-2026") in links and ("events", "eu-sanctions-2026") in links
    assert ("outcomes", "eurasian-security-forum-proposal") not in links  # the proposal to hold it: the same thing
    assert ("outcomes", "eu-further-sanctions") not in links
    assert len(links) == len(set(links))


def test_each_source_says_who_it_is(built_site: Path) -> None:
    sources = _text(built_site / "sources" / "index.html", "<main", "</main>")
    assert "English report citing Izvestia" not in sources or "relaying Izvestia" in sources
    assert "relaying Izvestia" in sources and "Times Tengri" in sources
    note = _text(
        built_site / "briefs" / "csto-summit-at-a-glance" / "index.html", '<section class="sources"', "</section>"
    )
    assert "relaying Izvestia (unattributed English-language report citing Izvestia" in note
