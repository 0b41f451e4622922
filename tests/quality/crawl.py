"""Follow every link of a served site from its home page, as a reader (or a crawler) would."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

LINK_ATTRS = {
    ("a", "href"),
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("source", "src"),
    ("iframe", "src"),
    ("form", "action"),
}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.ids.add(value)
            if (tag, name) in LINK_ATTRS:
                self.links.append(value)


def parse(html: str) -> tuple[set[str], list[str]]:
    """The ids a page defines and the URLs it links to, as written."""
    parser = _Parser()
    parser.feed(html)
    return parser.ids, parser.links


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


def fetch(url: str) -> Fetched:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return Fetched(url, resp.status, resp.headers.get("Content-Type", ""), resp.read())
    except urllib.error.HTTPError as err:
        return Fetched(url, err.code, err.headers.get("Content-Type", ""), err.read())


@dataclass
class Crawl:
    pages: dict[str, Fetched]  # every URL fetched, without its fragment
    edges: list[tuple[str, str]]  # (page URL, absolute link target with fragment) for internal links

    def broken(self) -> list[str]:
        """Internal links that do not answer 200, or whose #fragment names no element."""
        problems = []
        for source, target in self.edges:
            url, frag = urldefrag(target)
            got = self.pages[url]
            if got.status != 200:
                problems.append(f"{source} links to {target}: HTTP {got.status}")
            elif frag and "html" in got.content_type and frag not in got.ids:
                problems.append(f"{source} links to {target}: no element with id '{frag}'")
        return problems


def crawl(start: str) -> Crawl:
    """Fetch ``start`` and everything it leads to on the same server."""
    parts = urlsplit(start)
    origin = f"{parts.scheme}://{parts.netloc}/"
    pages: dict[str, Fetched] = {}
    edges: list[tuple[str, str]] = []
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in pages:
            continue
        got = pages[url] = fetch(url)
        if got.status != 200 or "html" not in got.content_type:
            continue
        got.ids, got.links = parse(got.body.decode("utf-8"))
        for link in got.links:
            target = urljoin(url, link)
            if not target.startswith(origin):
                continue  # another site: not ours to check
            edges.append((url, target))
            bare = urldefrag(target)[0]
            if bare not in pages:
                queue.append(bare)
    return Crawl(pages, edges)
