"""The benchmark's second corpus shape, "cited": briefs as a newsroom writes them.

Beside ``corpus.py``'s shape (links in the prose, nothing listed in front matter), every
brief here lists 3-6 actors, 1-2 events and 1-3 sources in its front matter, cites its
sources 2-5 times with locators (``[@src, "para 3"]``), and its prose carries typographic
quotes, en and em dashes and apostrophes. Every source is a ``.md`` file whose body is the
article and whose ``quotes:`` stand in it verbatim. All of it is allowed by the contract.

The same ``(n, seed)`` always gives the same bytes: every choice comes from one
``random.Random(seed)``. ``corpus_cited_write`` writes it for briefing, Hugo and Pelican.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cached_property


def _list(text: str) -> tuple[str, ...]:
    """A vocabulary written as comma-separated text."""
    return tuple(w.strip() for w in text.split(",") if w.strip())


NOUNS = _list(
    """pipeline, treaty, ceasefire, budget, tariff, corridor, garrison, grid, loan, quota, airbase,
    reactor, harbour, census, ballot, railway, customs union, drone programme, water accord,
    border post, grain deal, arms order, visa regime, credit line, aid package, peace plan,
    joint exercise, oil price, trade route"""
)
ADJECTIVES = _list(
    """fragile, costly, overdue, binding, partial, vague, ambitious, regional, informal, secret,
    bilateral, long-awaited, disputed, modest, sweeping"""
)
VERBS = _list(
    """delayed, endorsed, questioned, blocked, revived, signed, rejected, welcomed, postponed,
    softened, extended, funded, criticised, announced, renegotiated"""
)
BASE_VERBS = _list("accept, sign, fund, repeat, allow, ignore, forget")
PLACES = _list("the capital, the border region, the north, the delta, the mountain districts, the ports")
SURNAMES = _list(
    """Abenova, Baranov, Castellanos, Dzhumaev, Eriksen, Fahrenholz, Gulyamova, Haddad, Ishikawa,
    Jovanović, Kowalczyk, Lindqvist, Moreau, Nazarbek, O'Connell, Petrosyan, Quiroga, Rahimov,
    Sørensen, Tkachenko, Usmonov, Vasquez, Weiß, Yıldız, Zhakupova"""
)
GIVEN = _list(
    """Aigerim, Boris, Carmen, Davron, Elin, Farid, Galina, Hana, Ilya, Jana, Kemal, Lejla, Marat,
    Nadia, Oleg, Pavla, Rustam, Saule, Timur, Vera"""
)
STATES = _list(
    """Arvania, Belostan, Corvelia, Dravia, Estmark, Fennoria, Galdor, Hestria, Istrava, Juralia,
    Kesh, Lumeria, Moravel, Norrland, Ostavia, Pelagia"""
)
BODIES = _list("Council, Commission, Bank, Assembly, Secretariat, Forum, Institute")
OUTLETS = _list("Courier, Dispatch, Observer, Gazette, Wire, Review, Chronicle")
EVENT_KINDS = _list("summit, meeting, forum, sanctions, statement, other")
OUTCOME_KINDS = _list("proposal, declaration, decision, pledge, agreement, strategy")
OUTCOME_STATUSES = _list("proposed, adopted, in-progress, implemented, stalled, rejected")
TAGS = _list(
    """energy, sanctions, migration, defence, trade, elections, water, debt, cybersecurity,
    food-security, mediation, infrastructure, human-rights, climate"""
)
ROMAN = _list("I, II, III, IV, V, VI, VII, VIII, IX, X")
LOCATORS = ("para {n}", "p. {n}", "§ {n}", "section {n}", "lines {n}–{m}")

# One piece of prose: plain text, a link ("link", id, own text or ""), or a citation
# ("cite", source id, locator or "").
Piece = str | tuple[str, str, str]
Block = tuple[str, list[list[Piece]]]  # ("p" | "h2" | "ul" | "quote", lines of pieces)


@dataclass
class Actor:
    id: str
    name: str
    kind: str
    role: str
    aliases: list[str]
    country: str | None = None


@dataclass
class Event:
    id: str
    title: str
    kind: str
    date: str
    location: str
    host: str
    participants: list[str]


@dataclass
class Outcome:
    id: str
    title: str
    event: str
    kind: str
    status: str
    parties: list[str]


@dataclass
class Source:
    id: str
    title: str
    publisher: str
    author: str
    published: str
    url: str
    publish_text: bool
    paragraphs: list[str]
    quotes: list[tuple[str, str, str]]  # (speaker id, words as in the text, date)


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
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Corpus:
    actors: list[Actor]
    events: list[Event]
    outcomes: list[Outcome]
    sources: list[Source]
    briefs: list[Brief]

    @cached_property
    def titles(self) -> dict[str, str]:
        """Id to the text a link shows, for writers that spell links out."""
        titles = {a.id: a.name for a in self.actors}
        titles.update({e.id: e.title for e in self.events})
        titles.update({s.id: s.title for s in self.sources})
        return titles

    @cached_property
    def event_ids(self) -> frozenset[str]:
        return frozenset(e.id for e in self.events)


class Drawer:
    """Every random choice, made in one fixed order from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ids: set[str] = set()

    def new_id(self, text: str) -> str:
        base = "".join(c if c.isascii() and c.isalnum() else "-" for c in text.lower())
        base = "-".join(part for part in base.split("-") if part)
        rid, k = base, 2
        while rid in self.ids:
            rid, k = f"{base}-{k}", k + 1
        self.ids.add(rid)
        return rid

    def day(self, first: int = 2019, last: int = 2026) -> str:
        r = self.rng
        return f"{r.randint(first, last)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"

    def skewed(self, items: list[str], k: int) -> list[str]:
        """``k`` distinct items, the first ones far likelier: coverage has favourites."""
        picked: list[str] = []
        while len(picked) < min(k, len(items)):
            i = min(int(self.rng.paretovariate(1.2)) - 1, len(items) - 1)
            i = (i + self.rng.randrange(3)) % len(items) if self.rng.random() < 0.5 else i
            if items[i] not in picked:
                picked.append(items[i])
            elif self.rng.random() < 0.3:  # avoid a long loop on a tiny list
                spare = [x for x in items if x not in picked]
                picked.append(self.rng.choice(spare))
        return picked

    def phrase(self) -> str:
        r = self.rng
        return f"{r.choice(ADJECTIVES)} {r.choice(NOUNS)}"

    def woven(self, sentence: str, piece: Piece) -> list[Piece]:
        """``sentence`` with a citation before its full stop, or a sentence about a link."""
        r = self.rng
        if isinstance(piece, str) or piece[0] == "cite":
            return [sentence[:-1], piece, "."]
        if piece[1][:1].isdigit():  # a date
            return [sentence, "That was on", piece, "."]
        form = r.randrange(3)
        if form == 0:
            return [sentence, piece, f"’s officials {r.choice(VERBS)} the {self.phrase()}."]
        if form == 1:
            return [sentence, "Talks with", piece, f"on the {r.choice(NOUNS)} were {r.choice(VERBS)}."]
        return [sentence, f"The {self.phrase()} was {r.choice(VERBS)}, according to", piece, "."]

    def sentence(self, who: str) -> str:
        """A sentence of reported prose, typographic punctuation included."""
        r = self.rng
        y = r.randint(2012, 2024)
        forms = (
            f"{who}’s officials {r.choice(VERBS)} the {self.phrase()} in {r.choice(PLACES)}.",
            f"The {self.phrase()} — {r.choice(VERBS)} twice since {y} — wasn’t on the agenda.",
            f"Spending on the {r.choice(NOUNS)} rose between {y}–{y + r.randint(1, 4)}, "
            f"by {r.randint(3, 40)} per cent.",
            f"Diplomats called it “{self.phrase()}”, and {who} didn’t disagree.",
            f"In {r.choice(PLACES)}, the {r.choice(NOUNS)} was {r.choice(VERBS)}; the {r.choice(NOUNS)} was not.",
            f"Critics said the ‘{self.phrase()}’ label hid what the {r.choice(NOUNS)} would cost.",
            f"It’s the {r.choice(NOUNS)}, not the {r.choice(NOUNS)}, that {who} {r.choice(VERBS)} first.",
            f"Observers expect the {self.phrase()} to be {r.choice(VERBS)} by {y + 3}.",
            f"Pages {r.randint(2, 9)}–{r.randint(10, 30)} of the draft set out the {self.phrase()}.",
        )
        return r.choice(forms)


def draw(n: int, seed: int = 1) -> Corpus:
    """N briefs, N/25 actors, N/60 events, N/8 sources (each at least a few)."""
    d = Drawer(seed)
    actors = _actors(d, max(n // 25, 12))
    states = [a.id for a in actors if a.kind == "state"]
    for a in actors:
        if a.kind == "person":
            a.country = d.rng.choice(states)
    events = _events(d, max(n // 60, 3), actors)
    outcomes = _outcomes(d, events)
    sources = _sources(d, max(n // 8, 4), actors, events)
    briefs = [_brief(d, i, actors, events, sources) for i in range(n)]
    return Corpus(actors, events, outcomes, sources, briefs)


def _actors(d: Drawer, count: int) -> list[Actor]:
    r, out = d.rng, []
    for i in range(count):
        kinds = ("person", "person", "person", "organization", "state", "media", "other")
        kind = ("state", "organization", "media", "person")[i % 4] if i < 8 else r.choice(kinds)
        place = f"{STATES[i % len(STATES)]}{'' if i < len(STATES) else f' {ROMAN[i // len(STATES) % 10]}'}"
        if kind == "person":
            given, surname = r.choice(GIVEN), r.choice(SURNAMES)
            name, role, aliases = f"{given} {surname}", f"Minister for {r.choice(NOUNS)}s", [surname]
        elif kind == "state":
            name, role, aliases = place, "State", [f"the Republic of {place}"]
        elif kind == "media":
            name, role, aliases = f"The {place} {r.choice(OUTLETS)}", "Newspaper", []
        else:
            body = r.choice(BODIES)
            name, role = f"{place} {r.choice(NOUNS).title()} {body}", f"Regional {body.lower()}"
            aliases = ["".join(w[0] for w in name.split()).upper()]
        out.append(Actor(d.new_id(name), name, kind, role, aliases))
    return out


def _events(d: Drawer, count: int, actors: list[Actor]) -> list[Event]:
    r, ids, out = d.rng, [a.id for a in actors], []
    for _ in range(count):
        kind = r.choice(EVENT_KINDS)
        date = d.day()
        title = f"{r.choice(STATES)} {kind} on the {r.choice(NOUNS)}, {date[:4]}"
        participants = d.skewed(ids, r.randint(3, 9))
        out.append(Event(d.new_id(title), title, kind, date, f"{r.choice(STATES)} City", participants[0], participants))
    return out


def _outcomes(d: Drawer, events: list[Event]) -> list[Outcome]:
    r, out = d.rng, []
    for ev in events:
        for j in range(r.randint(0, 2)):
            kind = r.choice(OUTCOME_KINDS)
            title = f"The {d.phrase()} {kind} ({ev.date[:4]}, {j + 1})"
            parties = r.sample(ev.participants, min(len(ev.participants), r.randint(2, 4)))
            out.append(Outcome(d.new_id(title), title, ev.id, kind, r.choice(OUTCOME_STATUSES), parties))
    return out


def _sources(d: Drawer, count: int, actors: list[Actor], events: list[Event]) -> list[Source]:
    r = d.rng
    people = [a for a in actors if a.kind == "person"]
    media = [a.id for a in actors if a.kind == "media"]
    out = []
    for i in range(count):
        speakers = d.skewed([a.id for a in people], r.randint(1, 3))
        names = {a.id: a.name for a in people}
        published = d.day()
        paragraphs, quotes = [], []
        for p in range(r.randint(6, 12)):
            text = " ".join(d.sentence(r.choice(STATES)) for _ in range(r.randint(3, 6)))
            if p % 3 == 1 and len(quotes) < len(speakers):
                who = speakers[len(quotes)]
                said = f"{d.sentence(r.choice(STATES))[:-1]} — and we won’t {r.choice(BASE_VERBS)} it again"
                text += f" “{said},” {names[who]} said."
                quotes.append((who, said, published))
            paragraphs.append(text)
        title = f"{r.choice(STATES)}’s {d.phrase()}: what the {r.choice(NOUNS)} means ({i + 1})"
        sid = d.new_id(f"report {i + 1} {r.choice(NOUNS)}")
        url = f"https://press.example.net/{published[:4]}/{sid}"
        author = f"{r.choice(GIVEN)} {r.choice(SURNAMES)}"
        out.append(Source(sid, title, r.choice(media), author, published, url, r.random() < 0.25, paragraphs, quotes))
    return out


def _brief(d: Drawer, i: int, actors: list[Actor], events: list[Event], sources: list[Source]) -> Brief:
    r = d.rng
    listed_actors = d.skewed([a.id for a in actors], r.randint(3, 6))
    listed_events = d.skewed([e.id for e in events], r.randint(1, 2))
    cited = [s.id for s in r.sample(sources, r.randint(1, 3))]
    title = f"{r.choice(STATES)}’s {d.phrase()} — {r.choice(VERBS)} or not? ({i + 1})"
    brief = Brief(
        d.new_id(f"brief {i + 1}"),
        title,
        d.day(2020, 2026),
        f"Why the {d.phrase()} was {r.choice(VERBS)}, and what it means for the {r.choice(NOUNS)}.",
        sorted(r.sample(TAGS, r.randint(1, 3))),
        listed_actors,
        listed_events,
        cited,
    )
    brief.blocks = _body(d, brief, sources)
    return brief


def _body(d: Drawer, brief: Brief, sources: list[Source]) -> list[Block]:
    """About 400-650 words: paragraphs, a heading, a list, a quoted source, with links and citations."""
    r = d.rng
    by_id = {s.id: s for s in sources}
    cites: list[Piece] = []
    for k in range(r.randint(2, 5)):
        src = brief.sources[k % len(brief.sources)]
        n = r.randint(1, len(by_id[src].paragraphs))
        locator = r.choice(LOCATORS).format(n=n, m=n + 1) if r.random() < 0.8 else ""
        cites.append(("cite", src, locator))
    links: list[Piece] = [("link", a, "") for a in brief.actors[: r.randint(2, len(brief.actors))]]
    links.append(("link", brief.events[0], "the meeting" if r.random() < 0.3 else ""))
    links.append(("link", brief.date, ""))  # a date link
    pending = links + cites
    r.shuffle(pending)
    blocks: list[Block] = []
    words = 0
    target = r.randint(380, 560)

    def add(kind: str, lines: list[list[Piece]]) -> None:
        nonlocal words
        blocks.append((kind, lines))
        words += sum(len(p.split()) for line in lines for p in line if isinstance(p, str))

    def para(sentences: int) -> list[list[Piece]]:
        pieces: list[Piece] = []
        for _ in range(sentences):
            text = d.sentence(r.choice(STATES))
            pieces += d.woven(text, pending.pop()) if pending and r.random() < 0.35 else [text]
        return [pieces]

    add("p", para(4))
    add("h2", [[f"What the {d.phrase()} changes"]])
    while words < target * 0.5:
        add("p", para(r.randint(3, 6)))
    add("ul", [[d.sentence(r.choice(STATES))] for _ in range(r.randint(3, 5))])
    quoted = by_id[brief.sources[0]]
    if quoted.quotes:
        add("quote", [[f"“{quoted.quotes[0][1]}”"], ["—", ("cite", quoted.id, "")]])
    while words < target:
        add("p", para(r.randint(3, 6)))
    if pending:
        add("p", [[d.sentence(r.choice(STATES)), *pending]])
    return blocks
