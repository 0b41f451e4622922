"""The content contract as data: every kind, its fields, types and vocabularies.

Validation, ``briefing new`` and the docs read this one table, so a field is
declared once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("actor", "source", "event", "outcome", "brief")
FOLDERS = {"actor": "actors", "source": "sources", "event": "events", "outcome": "outcomes", "brief": "briefs"}
KIND_OF_FOLDER = {folder: kind for kind, folder in FOLDERS.items()}

ACTOR_KINDS = ("person", "organization", "state", "media", "other")
EVENT_KINDS = ("summit", "meeting", "forum", "sanctions", "statement", "other")
EVENT_STATUSES = ("held", "scheduled", "proposed", "cancelled")
OUTCOME_KINDS = ("proposal", "declaration", "decision", "pledge", "agreement", "strategy", "other")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # a record's id: its file's name


def is_language_tag(text: str) -> bool:
    """Whether ``text`` has the shape of a BCP 47 tag (``en``, ``pt-BR``, ``zh-Hant-TW``)."""
    return bool(_LANGUAGE_RE.match(text))


# ``announced``: one side said it will happen (a unilateral announcement or pledge), where
# ``adopted`` means the members agreed it
OUTCOME_STATUSES = ("proposed", "announced", "adopted", "in-progress", "implemented", "stalled", "rejected")


@dataclass(frozen=True)
class Field:
    """One field. ``type`` is one of: str, md, date, bool, int, url, lang, choice,
    id, ids, id-or-text, words, records (a list of mappings with ``fields``), cites (field
    names to the sources behind them, ``content.attribution``), choices (a list of ``choices``)."""

    name: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()  # kinds an id may name; () means any kind
    fields: tuple[Field, ...] = ()
    default: object = None
    about: str = ""  # what to fill in, for an editor who left the field empty


def _f(name: str, type_: str, **kw: object) -> Field:
    return Field(name, type_, **kw)  # type: ignore[arg-type]


AFFILIATION = (
    _f("actor", "id", required=True, refs=("actor",)),
    _f("role", "str"),
    _f("since", "date"),
    _f("until", "date"),
)
LINK = (_f("label", "str", required=True), _f("url", "url", required=True))
QUOTE = (
    _f("speaker", "id", required=True, refs=("actor",), about="the id of the actor who said it"),
    _f("text", "str", required=True),
    _f("date", "date"),
    _f("event", "id", refs=("event",)),
    _f("about", "ids"),
    _f("note", "str"),
)
UPDATE = (
    _f("date", "date", required=True, about="the date the status changed"),
    _f("status", "choice", required=True, choices=OUTCOME_STATUSES),
    _f("note", "md"),
    _f("sources", "ids", refs=("source",)),
)
# What to watch: an item any record may carry (``watch:``), listed on /watch/ by date.
WATCH_UPDATE = (
    _f("date", "date", required=True, about="the date of the news"),
    _f("note", "md", required=True, about="what happened"),
    _f("sources", "ids", refs=("source",)),
)
WATCH = (
    _f("what", "md", required=True, about="what to watch for, linking the records involved"),
    _f("due", "date"),
    _f("sources", "ids", refs=("source",)),
    _f("about", "ids"),
    _f("added", "date"),
    _f("updates", "records", fields=WATCH_UPDATE),
)
# Background an event's page gives that the event did not produce (an existing mechanism a
# speaker mentions): kept off the outcome tracker.
CONTEXT = (
    _f("title", "str", required=True),
    _f("summary", "md"),
    _f("sources", "ids", refs=("source",)),
)
# The infobox facts an event may say the sources do not report.
UNREPORTED = ("date", "end", "location", "country", "host", "chair", "participants", "absentees")
SHORT_NAME = _f("short_name", "str")
CITE = _f("cite", "cites")
WATCH_FIELD = _f("watch", "records", fields=WATCH)

SCHEMA: dict[str, tuple[Field, ...]] = {
    "actor": (
        _f("name", "str", required=True),
        _f("kind", "choice", required=True, choices=ACTOR_KINDS),
        _f("aliases", "words"),
        _f("role", "str"),
        _f("country", "id", refs=("actor",)),
        _f("affiliations", "records", fields=AFFILIATION),
        _f("summary", "md"),
        _f("links", "records", fields=LINK),
        SHORT_NAME,
        _f("ownership", "str"),
        _f("stance", "str"),
        CITE,
        WATCH_FIELD,
    ),
    "source": (
        _f("title", "str", required=True),
        _f("publisher", "id", refs=("actor",)),
        _f("author", "id-or-text", refs=("actor",)),
        _f("published", "date"),
        _f("url", "url"),
        _f("language", "lang"),
        _f("publish_text", "bool", default=False),
        _f("summary", "md"),
        _f("quotes", "records", fields=QUOTE),
        SHORT_NAME,
        _f("relays", "id", refs=("actor",)),
        _f("attribution", "str"),
        CITE,
        WATCH_FIELD,
    ),
    "event": (
        _f("title", "str", required=True),
        _f("kind", "choice", required=True, choices=EVENT_KINDS),
        _f("date", "date", required=True, about="the date the event started"),
        _f("end", "date"),
        _f("status", "choice", choices=EVENT_STATUSES, default="held"),
        _f("location", "str"),
        _f("host", "id", refs=("actor",)),
        _f("participants", "ids", refs=("actor",)),
        _f("sources", "ids", refs=("source",)),
        _f("summary", "md"),
        SHORT_NAME,
        _f("country", "id", refs=("actor",)),
        _f("chair", "id", refs=("actor",)),
        _f("absentees", "ids", refs=("actor",)),
        _f("not_reported", "choices", choices=UNREPORTED),
        _f("series", "str"),
        _f("part_of", "id", refs=("event",)),
        _f("context", "records", fields=CONTEXT),
        CITE,
        WATCH_FIELD,
    ),
    "outcome": (
        _f("title", "str", required=True),
        _f("event", "id", required=True, refs=("event",), about="the id of the event that produced it"),
        _f("kind", "choice", required=True, choices=OUTCOME_KINDS),
        _f("status", "choice", required=True, choices=OUTCOME_STATUSES),
        _f("date", "date"),
        _f("due", "date"),
        _f("proposed_by", "ids", refs=("actor",)),
        _f("parties", "ids", refs=("actor",)),
        _f("sources", "ids", refs=("source",)),
        _f("summary", "md"),
        _f("updates", "records", fields=UPDATE),
        SHORT_NAME,
        CITE,
        WATCH_FIELD,
    ),
    "brief": (
        _f("title", "str", required=True),
        _f("date", "date", required=True, about="the brief's date"),
        _f("summary", "str"),
        _f("actors", "ids", refs=("actor",)),
        _f("events", "ids", refs=("event",)),
        _f("outcomes", "ids", refs=("outcome",)),
        _f("sources", "ids", refs=("source",)),
        _f("tags", "words"),
        _f("draft", "bool", default=False),
        _f("updated", "date"),
        _f("weight", "int"),
        SHORT_NAME,
        WATCH_FIELD,
    ),
}

# Every kind may list the ids it had before (``briefing rename`` adds the old one): each old
# URL then redirects to the record's page.
MOVED_FROM = _f("moved_from", "old-ids", about="the ids this record had before it was renamed")
SCHEMA = {kind: (*fields, MOVED_FROM) for kind, fields in SCHEMA.items()}

# The name a record is shown by: actors have a name, everything else a title.
TITLE_FIELD = {"actor": "name"}

# Extra state checks beyond field types: an actor's country must be a state.
STATE_FIELDS = {("actor", "country")}

# Fields people reach for by another name (``venue:`` for ``location:``): an unknown field
# suggests its namesake here, when the mapping has it, before any suggestion by spelling.
SAME_MEANING = {
    "venue": "location",
    "place": "location",
    "city": "location",
    "organiser": "host",
    "organizer": "host",
    "organised_by": "host",
    "organized_by": "host",
    "attendees": "participants",
    "absent": "absentees",
    "when": "due",
    "deadline": "due",
    "expected": "due",
    "description": "summary",
    "name": "title",
    "title": "name",
    "featured": "weight",
    "pinned": "weight",
    "order": "weight",
}
