"""Who appears with whom: an actor's graph on its page, and the whole network at /network/."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from briefing.pipeline import Options, render
from briefing.render import network
from conftest import REPO, SITES

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def bundled() -> dict[str, bytes]:
    result = render(REPO, Options())
    assert result.ok
    return dict(result.files)


def svg_of(html: str, cls: str = "graph-svg") -> ET.Element:
    found = re.search(rf'<svg class="{cls}".*?</svg>', html, re.S)
    assert found, "no inline SVG"
    return ET.fromstring(found.group(0).replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


class _Rows(HTMLParser):
    """The graph table's rows: (actor link, records together)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = self.cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "graph-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "a" and self.rows:
            self.rows[-1].append(dict(attrs)["href"] or "")
        elif self.inside and tag == "td":
            self.cell = True

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "table"
        self.cell = self.cell and tag != "td"

    def handle_data(self, data: str) -> None:
        if self.inside and self.cell and data.strip().isdigit():
            self.rows[-1].append(data.strip())


def test_putins_page_draws_whom_he_appears_with_without_javascript(bundled: dict[str, bytes]) -> None:
    page = bundled["actors/vladimir-putin/index.html"].decode()
    svg = svg_of(page)
    assert svg.get("role") == "group" and svg.findtext(f"{SVG}title") and svg.findtext(f"{SVG}desc")
    links = [a.get("href") for a in svg.iter(f"{SVG}a")]
    assert links[0] == "/actors/vladimir-putin/" and len(links) >= 4  # every node a link, the actor first
    for href in links:
        assert f"{href.strip('/')}/index.html" in bundled, href  # to a page that exists
    titles = {a.get("href"): "".join(a.itertext()) for a in svg.iter(f"{SVG}a")}
    assert titles["/actors/csto/"] == "Collective Security Treaty Organization"  # its name: the whole label
    # the table gives the same actors, in the same order, with how many records they share
    parser = _Rows()
    parser.feed(page)
    rows = [r for r in parser.rows if r]
    assert [r[0] for r in rows] == links[1:]
    assert all(len(r) == 2 and int(r[1]) >= 1 for r in rows)
    counts = [int(r[1]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert not re.search(r"<script(?! type=\"application/ld\+json\")", page)  # no script is needed to see it


def test_an_actor_with_no_companions_has_no_graph() -> None:
    result = render(SITES / "valid", Options())
    lonely = [
        p
        for p, data in result.files.items()
        if p.startswith("actors/") and p.count("/") == 2 and b"graph-svg" not in data and p != "actors/index.html"
    ]
    for path in lonely:
        assert b"Appears most often with" not in result.files[path]


def test_the_network_page_draws_the_strongest_links_and_lists_every_actor(bundled: dict[str, bytes]) -> None:
    page = bundled["network/index.html"].decode()
    svg = svg_of(page)
    nodes = [a.get("href") for a in svg.iter(f"{SVG}a")]
    assert len(nodes) == len(set(nodes)) >= 10
    listed = set(re.findall(r'<dt><a class="ref ref-actor" href="([^"]+)"', page))
    assert set(nodes) <= listed  # the list is complete: every drawn actor, and the rest
    for href in listed:
        assert f"{href.strip('/')}/index.html" in bundled
    # filtering by kind waits for JavaScript: without it the filter is hidden and all shows
    assert re.search(r'<fieldset class="filters network-filter" id="network-filter" hidden>', page)
    assert "network" in re.search(r'<script src="([^"]+)"', page.split("</main>")[1]).group(1)  # type: ignore[union-attr]
    assert '<a href="/network/">Network</a>' in page  # found from every page's footer


def test_a_large_network_says_how_many_links_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "NETWORK_LINKS", 5)
    result = render(REPO, Options())
    page = result.files["network/index.html"].decode()
    svg = svg_of(page)
    assert len(list(svg.iter(f"{SVG}line"))) == 5
    caption = re.search(r'<figcaption id="network-caption">(.*?)</figcaption>', page, re.S).group(1)  # type: ignore[union-attr]
    shown, total, left = re.search(
        r"The (\d+) strongest of (\d+) links.*? (\d+) weaker links are left out", caption
    ).groups()  # type: ignore[union-attr]
    assert int(shown) == 5 and int(left) == int(total) - 5 > 0


def test_the_layout_is_the_same_on_every_run_and_rounded() -> None:
    links = [(f"a{i}", f"a{(i * 7) % 40}", 1 + i % 5) for i in range(40) if i != (i * 7) % 40]
    first, again = network.layout(links), network.layout(list(reversed(links)))
    assert first == again
    assert all(-1 <= c <= 1 and round(c, 3) == c for xy in first.values() for c in xy)


def test_labels_wrap_and_say_the_whole_name() -> None:
    assert network.label_lines("Vladimir Putin") == ["Vladimir Putin"]
    assert network.label_lines("Collective Security Treaty Organization") == [
        "Collective",
        "Security Treaty",
        "Organization",
    ]
    assert network.label_lines("Shanghai Cooperation Organisation", 18, 2) == ["Shanghai", "Cooperation Organisation"]
