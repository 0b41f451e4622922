"""The "cited" corpus (``corpus_cited``) written three ways: as a briefing site (the
content contract), as a Hugo site and as a Pelican site, with the same briefs, links and
citations spelt as each generator spells them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from corpus_cited import Brief, Corpus, Piece, draw

# how a link or a citation is spelt: (corpus, brief, the piece) -> Markdown
Spell = Callable[[Corpus, Brief, tuple[str, str, str]], str]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _list(items: list[str]) -> str:
    return "[" + ", ".join(_q(x) for x in items) + "]"


def _put(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _is_date(rid: str) -> bool:
    return rid[:1].isdigit()


def markdown(c: Corpus, brief: Brief, spell: Spell) -> str:
    """A brief's body, its links and citations spelt by ``spell``."""

    def line(pieces: list[Piece]) -> str:
        out = ""
        for piece in pieces:
            text = piece if isinstance(piece, str) else spell(c, brief, piece)
            glue = "" if not out or out.endswith(" ") or text[:1] in ".,;:’" else " "
            out += glue + text
        return out

    parts = []
    for kind, lines in brief.blocks:
        if kind == "p":
            parts.append(line(lines[0]))
        elif kind == "h2":
            parts.append("## " + line(lines[0]))
        elif kind == "ul":
            parts.append("\n".join("- " + line(item) for item in lines))
        else:
            parts.append("\n>\n".join("> " + line(item) for item in lines))
    return "\n\n".join(parts) + "\n"


def _briefing_spell(c: Corpus, brief: Brief, piece: tuple[str, str, str]) -> str:
    kind, target, extra = piece
    if kind == "cite":
        return f'[@{target}, "{extra}"]' if extra else f"[@{target}]"
    return f"[[{target}|{extra}]]" if extra else f"[[{target}]]"


def write_briefing(c: Corpus, root: Path) -> None:
    """The corpus as a briefing site: YAML records, and Markdown sources and briefs."""
    _put(
        root / "site.toml",
        'title = "Bench briefing (cited)"\nbase_url = "https://bench.example.org/"\n'
        'description = "A synthetic corpus for the benchmark: every brief lists and cites its records."\n',
    )
    for a in c.actors:
        country = f"country: {a.country}\n" if a.country else ""
        _put(
            root / f"content/actors/{a.id}.yaml",
            f"name: {_q(a.name)}\nkind: {a.kind}\nrole: {_q(a.role)}\naliases: {_list(a.aliases)}\n{country}",
        )
    for e in c.events:
        _put(
            root / f"content/events/{e.id}.yaml",
            f"title: {_q(e.title)}\nkind: {e.kind}\ndate: {e.date}\nlocation: {_q(e.location)}\n"
            f"host: {e.host}\nparticipants: [{', '.join(e.participants)}]\n",
        )
    for i, o in enumerate(c.outcomes):
        reported_in = c.sources[i % len(c.sources)].id  # a status rests on a source (check warns otherwise)
        _put(
            root / f"content/outcomes/{o.id}.yaml",
            f"title: {_q(o.title)}\nevent: {o.event}\nkind: {o.kind}\nstatus: {o.status}\n"
            f"sources: [{reported_in}]\nparties: [{', '.join(o.parties)}]\n",
        )
    for s in c.sources:
        quotes = "".join(f"  - speaker: {who}\n    text: {_q(text)}\n    date: {day}\n" for who, text, day in s.quotes)
        _put(
            root / f"content/sources/{s.id}.md",
            f"---\ntitle: {_q(s.title)}\npublisher: {s.publisher}\nauthor: {_q(s.author)}\n"
            f"published: {s.published}\nurl: {s.url}\n"
            + ("publish_text: true\n" if s.publish_text else "")
            + (f"quotes:\n{quotes}" if quotes else "")
            + "---\n"
            + "\n\n".join(s.paragraphs)
            + "\n",
        )
    for b in c.briefs:
        _put(
            root / f"content/briefs/{b.id}.md",
            f"---\ntitle: {_q(b.title)}\ndate: {b.date}\nsummary: {_q(b.summary)}\ntags: {_list(b.tags)}\n"
            f"actors: [{', '.join(b.actors)}]\nevents: [{', '.join(b.events)}]\n"
            f"sources: [{', '.join(b.sources)}]\n---\n" + markdown(c, b, _briefing_spell),
        )


HUGO_CONFIG = """baseURL = "https://bench.example.org/"
title = "Bench briefing (cited)"
languageCode = "en"
disableKinds = ["RSS"]
[taxonomies]
actor = "actors"
event = "events"
tag = "tags"
[markup.goldmark.renderer]
unsafe = false
[related]
includeNewer = true
threshold = 1
toLower = false
[[related.indices]]
name = "actors"
weight = 100
[[related.indices]]
name = "events"
weight = 80
"""


def _hugo_spell(c: Corpus, brief: Brief, piece: tuple[str, str, str]) -> str:
    kind, target, extra = piece
    if kind == "cite":
        n = brief.sources.index(target) + 1
        return f"[[{n}{', ' + extra if extra else ''}]](#source-{n})"
    if _is_date(target):
        return target
    folder = "events" if target in c.event_ids else "actors"
    return f"[{extra or c.titles[target]}](/{folder}/{target}/)"


def write_hugo(c: Corpus, root: Path) -> None:
    """The corpus as a Hugo site: actors and events are taxonomies with a term page each,
    sources are pages of their own (their text shown where briefing shows it)."""
    _put(root / "hugo.toml", HUGO_CONFIG)
    for a in c.actors:
        _put(
            root / f"content/actors/{a.id}/_index.md",
            f"---\ntitle: {_q(a.name)}\n---\n{a.role}. Also known as {', '.join(a.aliases) or '–'}.\n",
        )
    for e in c.events:
        _put(
            root / f"content/events/{e.id}/_index.md",
            f"---\ntitle: {_q(e.title)}\ndate: {e.date}\n---\nA {e.kind} in {e.location}.\n",
        )
    _put(root / "content/briefs/_index.md", "---\ntitle: Briefs\n---\n")
    _put(root / "content/sources/_index.md", "---\ntitle: Sources\n---\n")
    for s in c.sources:
        quotes = "".join(f"  - speaker: {_q(c.titles[who])}\n    text: {_q(text)}\n" for who, text, _ in s.quotes)
        _put(
            root / f"content/sources/{s.id}.md",
            f"---\ntitle: {_q(s.title)}\ndate: {s.published}\npublisher: {_q(c.titles[s.publisher])}\n"
            f"author: {_q(s.author)}\n"
            + (f"quotes:\n{quotes}" if quotes else "quotes: []\n")
            + "---\n"
            + ("\n\n".join(s.paragraphs) + "\n" if s.publish_text else ""),
        )
    for b in c.briefs:
        srcs = "".join(
            f"  - title: {_q(c.titles[s])}\n    url: https://bench.example.org/sources/{s}/\n" for s in b.sources
        )
        _put(
            root / f"content/briefs/{b.id}.md",
            f"---\ntitle: {_q(b.title)}\ndate: {b.date}\nsummary: {_q(b.summary)}\ntags: {_list(b.tags)}\n"
            f"actors: {_list(b.actors)}\nevents: {_list(b.events)}\nsources:\n{srcs}---\n"
            + markdown(c, b, _hugo_spell),
        )


PELICAN_CONFIG = """SITENAME = "Bench briefing (cited)"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = False
RELATIVE_URLS = False
LOAD_CONTENT_CACHE = False
"""


def _pelican_spell(c: Corpus, brief: Brief, piece: tuple[str, str, str]) -> str:
    kind, target, extra = piece
    if kind == "cite":
        n = brief.sources.index(target) + 1
        return f"[{n}{', ' + extra if extra else ''}]"
    if _is_date(target) or target in c.event_ids:
        return target if _is_date(target) else (extra or c.titles[target])
    return f"[{extra or c.titles[target]}](/tag/{target}.html)"


def write_pelican(c: Corpus, root: Path) -> None:
    """The corpus as a Pelican site: briefs as articles, their actors as tags."""
    _put(root / "pelicanconf.py", PELICAN_CONFIG)
    for b in c.briefs:
        _put(
            root / f"content/{b.id}.md",
            f"Title: {b.title}\nDate: {b.date}\nSlug: {b.id}\nCategory: briefs\n"
            f"Tags: {', '.join(b.actors)}\nSummary: {b.summary}\n\n" + markdown(c, b, _pelican_spell),
        )


def write_all(n: int, root: Path, seed: int = 1) -> Corpus:
    """Write the three sites under ``root``: briefing/, hugo/, pelican/."""
    corpus = draw(n, seed)
    write_briefing(corpus, root / "briefing")
    write_hugo(corpus, root / "hugo")
    write_pelican(corpus, root / "pelican")
    return corpus
