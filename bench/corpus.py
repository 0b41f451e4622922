"""A deterministic synthetic corpus for the benchmark, drawn once and written
three ways: as a briefing site (the content contract), as a Hugo site and as a
Pelican site, so the three generators build the same briefs with the same links.

The same ``(n, seed)`` always gives the same bytes: every choice comes from one
``random.Random(seed)`` and nothing reads the clock or the environment.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

WORDS = (
    "the",
    "alliance",
    "council",
    "agreed",
    "to",
    "review",
    "its",
    "joint",
    "security",
    "posture",
    "after",
    "months",
    "of",
    "talks",
    "between",
    "ministers",
    "delegates",
    "and",
    "observers",
    "who",
    "met",
    "in",
    "the",
    "capital",
    "to",
    "discuss",
    "regional",
    "stability",
    "trade",
    "corridors",
    "energy",
    "supply",
    "border",
    "management",
    "and",
    "a",
    "common",
    "fund",
    "for",
    "equipment",
    "analysts",
    "noted",
    "that",
    "the",
    "declaration",
    "left",
    "open",
    "several",
    "questions",
    "about",
    "financing",
    "command",
    "structures",
    "and",
    "the",
    "timetable",
    "for",
    "implementation",
    "while",
    "officials",
    "stressed",
    "continuity",
    "critics",
    "argued",
    "the",
    "proposals",
    "repeated",
    "earlier",
    "pledges",
    "without",
    "new",
    "money",
    "or",
    "oversight",
    "the",
    "summit",
    "also",
    "heard",
    "reports",
    "on",
    "counter",
    "terrorism",
    "information",
    "security",
    "migration",
    "and",
    "cooperation",
    "with",
    "neighbouring",
    "states",
    "and",
    "international",
    "organisations",
    "on",
    "sanctions",
    "observers",
    "expect",
    "further",
    "meetings",
    "before",
    "the",
    "end",
    "of",
    "the",
    "year",
    "to",
    "settle",
    "the",
    "details",
    "members",
    "differ",
    "on",
    "priorities",
    "some",
    "favour",
    "rapid",
    "deployment",
    "others",
    "prefer",
    "diplomacy",
)
SYLLABLES = (
    "ka",
    "ro",
    "mi",
    "sa",
    "len",
    "dor",
    "vik",
    "ta",
    "bel",
    "nor",
    "ash",
    "em",
    "ul",
    "rin",
    "gar",
    "po",
    "zel",
    "ost",
    "kov",
    "an",
    "ber",
    "lu",
    "shi",
    "ven",
)
ACTOR_KINDS = (("person", 50), ("organization", 20), ("state", 15), ("media", 10), ("other", 5))
EVENT_KINDS = ("summit", "meeting", "forum", "sanctions", "statement")
OUTCOME_KINDS = ("proposal", "declaration", "decision", "pledge", "agreement", "strategy")
OUTCOME_STATUSES = ("proposed", "adopted", "in-progress", "implemented", "stalled", "rejected")
TAGS = tuple(
    f"{a} {b}"
    for a in ("security", "energy", "trade", "migration", "defence", "sanctions", "diplomacy", "finance")
    for b in ("policy", "outlook", "talks", "risk", "review")
)


@dataclass
class Actor:
    id: str
    name: str
    kind: str
    aliases: list[str]
    role: str
    country: str | None = None


@dataclass
class Event:
    id: str
    title: str
    kind: str
    date: str
    status: str
    location: str
    host: str
    participants: list[str]
    sources: list[str]


@dataclass
class Outcome:
    id: str
    title: str
    event: str
    kind: str
    status: str
    date: str
    proposed_by: list[str]
    parties: list[str]
    updates: list[tuple[str, str, str]]


@dataclass
class Quote:
    speaker: str
    text: str
    date: str
    event: str | None


@dataclass
class Source:
    id: str
    title: str
    publisher: str
    published: str
    url: str
    quotes: list[Quote]


# A body is a list of blocks; a block is (kind, inline tokens or items).
# An inline token is ("text", s), ("em", s), ("strong", s), ("actor", id),
# ("event", id), ("date", iso) or ("cite", source id).
Token = tuple[str, str]


@dataclass
class Brief:
    id: str
    title: str
    date: str
    summary: str
    tags: list[str]
    actors: list[str]
    events: list[str]
    sources: list[str]
    blocks: list[tuple[str, list[list[Token]]]] = field(default_factory=list)


@dataclass
class Corpus:
    actors: list[Actor]
    events: list[Event]
    outcomes: list[Outcome]
    sources: list[Source]
    briefs: list[Brief]

    def names(self) -> dict[str, str]:
        """Id to the text a link shows, for the writers that spell links out."""
        out = {a.id: a.name for a in self.actors}
        out.update({e.id: e.title for e in self.events})
        out.update({s.id: s.title for s in self.sources})
        return out


class _Draw:
    """All random choices, in one fixed order."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()

    def unique(self, base: str) -> str:
        rid, n = base, 2
        while rid in self.used:
            rid, n = f"{base}-{n}", n + 1
        self.used.add(rid)
        return rid

    def word(self) -> str:
        return self.rng.choice(WORDS)

    def words(self, lo: int, hi: int) -> str:
        return " ".join(self.word() for _ in range(self.rng.randint(lo, hi)))

    def name_part(self) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    def date(self, lo: int = 2020, hi: int = 2026) -> str:
        return f"{self.rng.randint(lo, hi)}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}"


def _slug(text: str) -> str:
    return "-".join(text.lower().replace(".", " ").split())


def draw(n: int, seed: int = 1) -> Corpus:
    """N briefs, N/20 actors, N/50 events with 1-4 outcomes each, N/10 sources."""
    d = _Draw(seed)
    actors = _actors(d, max(n // 20, 8))
    by_kind: dict[str, list[str]] = {}
    for a in actors:
        by_kind.setdefault(a.kind, []).append(a.id)
    for a in actors:
        if a.kind == "person" and by_kind.get("state"):
            a.country = d.rng.choice(by_kind["state"])
    sources = _sources(d, max(n // 10, 3), actors, by_kind)
    events, outcomes = _events(d, max(n // 50, 2), actors, sources)
    for s in sources:  # quotes said at an event
        for q in s.quotes:
            if d.rng.random() < 0.3:
                ev = d.rng.choice(events)
                q.event, q.date = ev.id, ev.date
    briefs = [_brief(d, i, actors, events, sources) for i in range(n)]
    return Corpus(actors, events, outcomes, sources, briefs)


def _actors(d: _Draw, count: int) -> list[Actor]:
    kinds = [k for k, _ in ACTOR_KINDS]
    weights = [w for _, w in ACTOR_KINDS]
    out = []
    for i in range(count):
        kind = kinds[i] if i < len(kinds) else d.rng.choices(kinds, weights)[0]
        if kind == "person":
            first, last = d.name_part(), d.name_part()
            name, aliases, role = f"{first} {last}", [last, f"{first[0]}. {last}"], f"Minister of {d.word()}"
        elif kind == "state":
            base = d.name_part() + "ia"
            name, aliases, role = base, [f"Republic of {base}"], "State"
        else:
            base = f"{d.name_part()} {d.rng.choice(('Council', 'Agency', 'Union', 'Times', 'Herald', 'Group'))}"
            name = base
            aliases = ["".join(w[0] for w in base.split()).upper() + str(i)]
            role = {"media": "Newspaper", "organization": "Regional body"}.get(kind, "Network")
        out.append(Actor(d.unique(_slug(name)), name, kind, aliases, role))
    return out


def _sources(d: _Draw, count: int, actors: list[Actor], by_kind: dict[str, list[str]]) -> list[Source]:
    people = by_kind.get("person") or [a.id for a in actors]
    media = by_kind.get("media") or [a.id for a in actors]
    out = []
    for i in range(count):
        title = f"Report {i + 1}: {d.words(3, 6)}".capitalize()
        quotes = [
            Quote(d.rng.choice(people), d.words(8, 20).capitalize() + ".", d.date(), None)
            for _ in range(d.rng.randint(1, 3))
        ]
        sid = d.unique(f"source-{i + 1}")
        out.append(Source(sid, title, d.rng.choice(media), d.date(), f"https://news.example.org/{sid}", quotes))
    return out


def _events(d: _Draw, count: int, actors: list[Actor], sources: list[Source]) -> tuple[list[Event], list[Outcome]]:
    ids = [a.id for a in actors]
    events, outcomes = [], []
    for i in range(count):
        kind = d.rng.choice(EVENT_KINDS)
        title = f"{d.name_part()} {kind} {2020 + i % 7}"
        date = d.date()
        status = d.rng.choices(("held", "scheduled", "proposed", "cancelled"), (85, 8, 5, 2))[0]
        participants = d.rng.sample(ids, min(len(ids), d.rng.randint(3, 8)))
        ev = Event(
            d.unique(_slug(title)),
            title,
            kind,
            date,
            status,
            f"{d.name_part()} city",
            d.rng.choice(ids),
            participants,
            [s.id for s in d.rng.sample(sources, min(2, len(sources)))],
        )
        events.append(ev)
        for j in range(d.rng.randint(1, 4)):
            otitle = f"{d.words(2, 4).capitalize()} {d.rng.choice(OUTCOME_KINDS)} {i + 1}.{j + 1}"
            updates = [(d.date(), d.rng.choice(OUTCOME_STATUSES), d.words(5, 12)) for _ in range(d.rng.randint(0, 2))]
            kind, status = d.rng.choice(OUTCOME_KINDS), d.rng.choice(OUTCOME_STATUSES)
            if updates:  # the status stands where the latest dated update says (check requires it)
                status = max(updates, key=lambda u: str(u[0]))[1]
            outcomes.append(
                Outcome(
                    d.unique(_slug(otitle)),
                    otitle,
                    ev.id,
                    kind,
                    status,
                    date,
                    d.rng.sample(participants, min(2, len(participants))),
                    d.rng.sample(ids, min(len(ids), d.rng.randint(2, 4))),
                    updates,
                )
            )
    return events, outcomes


def _brief(d: _Draw, i: int, actors: list[Actor], events: list[Event], sources: list[Source]) -> Brief:
    rng = d.rng
    # Every actor is mentioned at least once (the first link goes round them all);
    # the rest lean towards a few popular actors, as real coverage does.
    weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(actors))]
    mentioned = [actors[i % len(actors)].id]
    while len(mentioned) < min(len(actors), rng.randint(3, 6)):
        pick = rng.choices(actors, weights)[0].id
        if pick not in mentioned:
            mentioned.append(pick)
    event = rng.choice(events)
    cited = [s.id for s in rng.sample(sources, min(len(sources), rng.randint(2, 3)))]
    title = f"{d.words(3, 7).capitalize()} ({i + 1})"
    brief = Brief(
        d.unique(f"brief-{i + 1}"),
        title,
        d.date(2021, 2026),
        d.words(12, 24).capitalize() + ".",
        sorted(set(rng.sample(TAGS, rng.randint(1, 3)))),
        [],
        [event.id],
        cited,
    )
    links: list[Token] = [("actor", a) for a in mentioned] + [
        ("event", event.id),
        ("date", event.date),
        ("date", brief.date[:7]),
    ]
    links += [("cite", s) for s in cited]
    brief.blocks = _body(d, links, rng.randint(400, 600))
    return brief


def _body(d: _Draw, links: list[Token], target: int) -> list[tuple[str, list[list[Token]]]]:
    """Paragraphs, two headings, a list and a blockquote, with the links spread through."""
    rng = d.rng
    pending = list(links)
    blocks: list[tuple[str, list[list[Token]]]] = []
    count = 0

    def line(lo: int, hi: int) -> list[Token]:
        nonlocal count
        tokens: list[Token] = []
        for _ in range(rng.randint(lo, hi)):
            roll = rng.random()
            style = "em" if roll < 0.04 else "strong" if roll < 0.06 else "text"
            tokens.append((style, d.word()))
            count += 1
            if pending and rng.random() < 0.04:
                tokens.append(pending.pop(0))
        return tokens

    blocks.append(("p", [line(40, 70)]))
    blocks.append(("h2", [line(2, 5)]))
    while count < target * 0.45:
        blocks.append(("p", [line(40, 80)]))
    blocks.append(("ul", [line(6, 14) for _ in range(rng.randint(3, 5))]))
    blocks.append(("h3", [line(2, 5)]))
    blocks.append(("quote", [line(15, 30)]))
    while count < target:
        blocks.append(("p", [line(30, min(80, max(30, target - count)))]))
    if pending:
        blocks.append(("p", [line(8, 12) + pending]))
    return blocks


def _inline(tokens: list[Token], link: dict[str, object]) -> str:
    out = []
    for kind, value in tokens:
        if kind == "text":
            out.append(value)
        elif kind == "em":
            out.append(f"*{value}*")
        elif kind == "strong":
            out.append(f"**{value}**")
        else:
            fn = link[kind]
            out.append(fn(value) if callable(fn) else str(fn))
    return " ".join(out)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def body_markdown(brief: Brief, link: dict[str, object]) -> str:
    """The body as Markdown, with links spelt by ``link``: kind -> function of the target."""
    parts = []
    for kind, lines in brief.blocks:
        if kind == "p":
            parts.append(_cap(_inline(lines[0], link)))
        elif kind in ("h2", "h3"):
            parts.append(("## " if kind == "h2" else "### ") + _cap(_inline(lines[0], link)))
        elif kind == "ul":
            parts.append("\n".join(f"- {_inline(item, link)}" for item in lines))
        else:
            parts.append("> " + _cap(_inline(lines[0], link)))
    return "\n\n".join(parts) + "\n"


# -- writers -------------------------------------------------------------------

# how the contract spells each kind of link in a brief's body
BRIEFING_LINKS: dict[str, object] = {
    "actor": lambda i: f"[[{i}]]",
    "event": lambda i: f"[[{i}]]",
    "date": lambda i: f"[[{i}]]",
    "cite": lambda i: f"[@{i}]",
}


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _ids(ids: list[str]) -> str:
    return "[" + ", ".join(ids) + "]"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_briefing(c: Corpus, root: Path) -> None:
    """The corpus as a briefing site (the content contract)."""
    _write(
        root / "site.toml",
        'title = "Bench briefing"\nbase_url = "https://bench.example.org/"\n'
        'description = "A synthetic corpus for the benchmark."\n',
    )
    for a in c.actors:
        text = (
            f"name: {_q(a.name)}\nkind: {a.kind}\naliases: [{', '.join(_q(x) for x in a.aliases)}]\n"
            f"role: {_q(a.role)}\n" + (f"country: {a.country}\n" if a.country else "")
        )
        _write(root / f"content/actors/{a.id}.yaml", text)
    for s in c.sources:
        quotes = "".join(
            f"  - speaker: {q.speaker}\n    text: {_q(q.text)}\n    date: {q.date}\n"
            + (f"    event: {q.event}\n" if q.event else "")
            for q in s.quotes
        )
        _write(
            root / f"content/sources/{s.id}.yaml",
            f"title: {_q(s.title)}\npublisher: {s.publisher}\npublished: {s.published}\nurl: {s.url}\n"
            f"quotes:\n{quotes}",
        )
    for e in c.events:
        _write(
            root / f"content/events/{e.id}.yaml",
            f"title: {_q(e.title)}\nkind: {e.kind}\ndate: {e.date}\nstatus: {e.status}\n"
            f"location: {_q(e.location)}\nhost: {e.host}\nparticipants: {_ids(e.participants)}\n"
            f"sources: {_ids(e.sources)}\n",
        )
    for o in c.outcomes:
        updates = "".join(f"  - date: {u[0]}\n    status: {u[1]}\n    note: {_q(u[2])}\n" for u in o.updates)
        _write(
            root / f"content/outcomes/{o.id}.yaml",
            f"title: {_q(o.title)}\nevent: {o.event}\nkind: {o.kind}\nstatus: {o.status}\ndate: {o.date}\n"
            f"proposed_by: {_ids(o.proposed_by)}\nparties: {_ids(o.parties)}\n"
            + (f"updates:\n{updates}" if updates else ""),
        )
    link = BRIEFING_LINKS
    for b in c.briefs:
        _write(
            root / f"content/briefs/{b.id}.md",
            f"---\ntitle: {_q(b.title)}\ndate: {b.date}\nsummary: {_q(b.summary)}\n"
            f"tags: [{', '.join(_q(t) for t in b.tags)}]\nevents: {_ids(b.events)}\n---\n" + body_markdown(b, link),
        )


HUGO_CONFIG = """baseURL = "https://bench.example.org/"
title = "Bench briefing"
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


def write_hugo(c: Corpus, root: Path) -> None:
    """The corpus as a Hugo site: actors and events are taxonomies with a term page each
    (its templates, two themes, come from ``peers.write_themes``)."""
    names = c.names()
    sources = {s.id: s for s in c.sources}
    _write(root / "hugo.toml", HUGO_CONFIG)
    for a in c.actors:
        _write(
            root / f"content/actors/{a.id}/_index.md",
            f"---\ntitle: {_q(a.name)}\n---\n{a.role}. Also known as {', '.join(a.aliases)}.\n",
        )
    for e in c.events:
        _write(
            root / f"content/events/{e.id}/_index.md",
            f"---\ntitle: {_q(e.title)}\ndate: {e.date}\n---\nA {e.kind} at {e.location}, {e.status}.\n",
        )
    _write(root / "content/briefs/_index.md", "---\ntitle: Briefs\n---\n")
    for b in c.briefs:
        link = {
            "actor": lambda i: f"[{names[i]}](/actors/{i}/)",
            "event": lambda i: f"[{names[i]}](/events/{i}/)",
            "date": lambda i: i,
            "cite": lambda i, b=b: f"[[{b.sources.index(i) + 1}]](#source-{b.sources.index(i) + 1})",
        }
        actors = [v for k, v in _tokens(b) if k == "actor"]
        srcs = "".join(f"  - title: {_q(sources[s].title)}\n    url: {sources[s].url}\n" for s in b.sources)
        _write(
            root / f"content/briefs/{b.id}.md",
            f"---\ntitle: {_q(b.title)}\ndate: {b.date}\nsummary: {_q(b.summary)}\n"
            f"tags: [{', '.join(_q(t) for t in b.tags)}]\nactors: {_ids(actors)}\nevents: {_ids(b.events)}\n"
            f"sources:\n{srcs}---\n" + body_markdown(b, link),
        )


PELICAN_CONFIG = """SITENAME = "Bench briefing"
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


def write_pelican(c: Corpus, root: Path) -> None:
    """The corpus as a Pelican site: briefs as articles, actors as tags."""
    names = c.names()
    _write(root / "pelicanconf.py", PELICAN_CONFIG)
    for b in c.briefs:
        link = {
            "actor": lambda i: f"[{names[i]}](/tag/{i}.html)",
            "event": lambda i: names[i],
            "date": lambda i: i,
            "cite": lambda i, b=b: f"[{b.sources.index(i) + 1}]",
        }
        actors = [v for k, v in _tokens(b) if k == "actor"]
        _write(
            root / f"content/{b.id}.md",
            f"Title: {b.title}\nDate: {b.date}\nSlug: {b.id}\nCategory: briefs\n"
            f"Tags: {', '.join(actors)}\nSummary: {b.summary}\n\n" + body_markdown(b, link),
        )


def _tokens(b: Brief) -> list[Token]:
    return [t for _, lines in b.blocks for line in lines for t in line]


def write_all(n: int, root: Path, seed: int = 1) -> Corpus:
    """Write the three sites under ``root``: briefing/, hugo/, pelican/."""
    corpus = draw(n, seed)
    write_briefing(corpus, root / "briefing")
    write_hugo(corpus, root / "hugo")
    write_pelican(corpus, root / "pelican")
    return corpus
