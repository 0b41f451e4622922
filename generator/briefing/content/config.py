"""``site.toml``: a declared schema, so a typo in a setting is an error with a hint."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from briefing.content.dates import parse_date
from briefing.content.schema import ID_RE, is_language_tag
from briefing.diagnostics import Diagnostics

CONFIG_FILE = "site.toml"


def _setting(doc: str, default: Any = MISSING, table: str = "", key: str = "") -> Any:
    """A setting of ``site.toml`` (in ``[table]`` when given, named ``key`` there when the
    field's own name would not read well in it), documented where it is declared."""
    return field(default=default, metadata={"doc": doc, "table": table, "key": key})


@dataclass(frozen=True)
class SiteConfig:
    """The settings of ``site.toml``: each field is one setting, and this is their only list."""

    title: str = _setting("The site's name, shown in the header and the feed (required).")
    base_url: str = _setting("Absolute URL the site is served at; may carry a path (required).")  # ends with "/"
    language: str = _setting("BCP 47 language of the content, e.g. 'en' or 'ru'.", "en")
    description: str = _setting("One sentence for the home page, feed and search engines.", "")
    author: str = _setting("Who publishes the site; used in the feed.", "")
    feed_limit: int = _setting("How many of the latest briefs the Atom feed carries.", 50)
    unsafe_html: bool = _setting("Pass raw HTML in Markdown through instead of escaping it.", False, "markdown")
    search_enabled: bool = _setting(
        "Make the search index (pagefind/) and the search box; false leaves both out (as --no-search does).",
        True,
        "search",
        key="enabled",
    )
    updated_from_git: bool = _setting(
        "Date a brief without 'updated:' by its file's last commit (a site that is a git checkout).",
        False,
        "dates",
    )
    as_of: str = _setting(
        "The date the briefing is written as of (YYYY, YYYY-MM or YYYY-MM-DD): a watch item due before it "
        "and without an update shows as due. Default: the latest date a brief, a source's publication, "
        "a held event or a recorded update carries.",
        "",
    )
    lead_event: str = _setting("The id of the event whose decisions table the home page shows.", "")
    # where each setting stands in site.toml, for errors found after loading (an unknown lead_event)
    where: dict[str, tuple[int, int]] = field(
        default_factory=dict, compare=False, repr=False, metadata={"doc": "", "table": None}
    )

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: "/" or e.g. "/briefing/"."""
        return urlsplit(self.base_url).path or "/"

    def with_base_url(self, base_url: str) -> SiteConfig:
        return SiteConfig(**{**self.__dict__, "base_url": normalise_base_url(base_url)})

    def without_search(self) -> SiteConfig:
        return SiteConfig(**{**self.__dict__, "search_enabled": False})


_TYPES = {"str": str, "int": int, "bool": bool}
TABLES = sorted({str(f.metadata["table"]) for f in fields(SiteConfig) if f.metadata["table"]})  # [markdown] ...


def settings(table: str) -> dict[str, tuple[type, object, str]]:
    """The settings of one table of ``site.toml`` ("" for the top): name -> (type, default or
    None when required, what it is)."""
    return {
        _key(f): (_TYPES[str(f.type)], None if f.default is MISSING else f.default, f.metadata["doc"])
        for f in fields(SiteConfig)
        if f.metadata["table"] == table
    }


def _key(f: Any) -> str:
    return str(f.metadata["key"] or f.name)


def _check_fields(data: dict[str, object], table: str, lines: list[str], diags: Diagnostics) -> dict[str, object]:
    """A table's settings checked, by the ``SiteConfig`` fields that hold them."""
    names = {_key(f): f.name for f in fields(SiteConfig) if f.metadata["table"] == table}
    return {names[k]: v for k, v in _check_table(data, settings(table), f"{table}.", lines, diags).items()}


def find_site(start: Path) -> Path | None:
    """The nearest folder from ``start`` up that holds ``site.toml``, as git finds its
    repository: the search stops at the top of a git checkout (a folder holding ``.git``)
    and at the file system's root. Returned relative to ``start`` (``.``, ``..``), so that
    paths printed from it read as the user would type them."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return Path(os.path.relpath(folder, here))
        if (folder / ".git").exists():
            return None
    return None


def normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def valid_base_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def load_config(site: Path, diags: Diagnostics) -> SiteConfig | None:
    """Read and check ``site.toml``; on any error report it and return None."""
    path = site / CONFIG_FILE
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        diags.error(
            CONFIG_FILE,
            (1, 1),
            "config-missing",
            f"no {CONFIG_FILE} in {site}; run from the site's folder or pass --site DIR",
        )
        return None
    except UnicodeDecodeError:
        diags.error(CONFIG_FILE, (1, 1), "encoding", "not UTF-8 text; save the file as UTF-8")
        return None
    except OSError as exc:
        diags.error(CONFIG_FILE, (1, 1), "unreadable", f"cannot read {CONFIG_FILE}: {exc.strerror}")
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"at line (\d+), column (\d+)", str(exc))
        pos = (int(m[1]), int(m[2])) if m else (1, 1)
        diags.error(CONFIG_FILE, pos, "toml", f"invalid TOML: {str(exc).split(' (at')[0]}")
        return None
    lines = text.splitlines()
    before = len(diags.errors)
    values = _check_table(data, settings(""), "", lines, diags)
    for table in TABLES:
        found = data.get(table, {})
        if not isinstance(found, dict):
            diags.error(CONFIG_FILE, _find(lines, table, value=True), "type", f"{table} must be a table: [{table}]")
            found = {}
        values.update(_check_fields(found, table, lines, diags))
    for key in (name for name, (_type, default, _doc) in settings("").items() if default is None):
        if key not in data:
            diags.error(
                CONFIG_FILE, (1, 1), "missing-field", f"missing required setting '{key}'; add e.g. {key} = \"...\""
            )
    base = data.get("base_url")
    if isinstance(base, str) and not valid_base_url(base):
        diags.error(
            CONFIG_FILE,
            _find(lines, "base_url", value=True),
            "url",
            f"base_url must be an absolute http(s) URL, got '{base}'",
        )
    _check_language_date_and_ids(values, lines, diags)
    if len(diags.errors) > before:
        return None
    values["base_url"] = normalise_base_url(str(values["base_url"]))
    return SiteConfig(**values)  # type: ignore[arg-type]


def _check_language_date_and_ids(values: dict[str, object], lines: list[str], diags: Diagnostics) -> None:
    """``language`` is a BCP 47 tag; ``as_of`` is a date (a TOML date or text); ``lead_event`` has the shape of an id
    (whether it names an event is known once the records are: ``library.events``, which
    reports it where ``where`` says it stands)."""
    values["where"] = {key: _find(lines, key, value=True) for key in ("lead_event",) if values.get(key)}
    lang = values.get("language", "en")
    if isinstance(lang, str) and not is_language_tag(lang):
        diags.error(
            CONFIG_FILE,
            _find(lines, "language", value=True),
            "language",
            f"language '{lang}' is not a BCP 47 tag such as 'en' or 'pt-BR'",
        )
    as_of = values.get("as_of")
    if isinstance(as_of, str) and as_of and parse_date(as_of) is None:
        diags.error(
            CONFIG_FILE,
            _find(lines, "as_of", value=True),
            "bad-date",
            f"as_of is not a valid date: '{as_of}'; write YYYY, YYYY-MM or YYYY-MM-DD",
        )
    lead = values.get("lead_event")
    if isinstance(lead, str) and lead and not ID_RE.match(lead):
        diags.error(
            CONFIG_FILE,
            _find(lines, "lead_event", value=True),
            "bad-id",
            f"lead_event '{lead}' is not an id; write the event's file name without .yaml",
        )


def _check_table(
    data: dict[str, object],
    schema: dict[str, tuple[type, object, str]],
    prefix: str,
    lines: list[str],
    diags: Diagnostics,
) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, (_kind, default, _doc) in schema.items():
        if default is not None:
            out[key] = default
    section = prefix.rstrip(".")
    for key, value in data.items():
        if key in TABLES and not prefix:
            continue
        if key not in schema:
            hint = difflib.get_close_matches(key, list(schema), n=1)
            extra = f"; did you mean '{hint[0]}'?" if hint else f"; known: {', '.join(schema)}"
            diags.error(
                CONFIG_FILE, _find(lines, key, section), "unknown-field", f"unknown setting '{prefix}{key}'{extra}"
            )
            continue
        kind = schema[key][0]
        if key == "as_of" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = value.isoformat()  # as_of = 2025-11-28, a TOML date, is as good as text
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            diags.error(
                CONFIG_FILE,
                _find(lines, key, section, value=True),
                "type",
                f"'{prefix}{key}' must be {_TYPE_WORDS[kind]}, got {_TYPE_WORDS.get(type(value), 'a table')}",
            )
            continue
        out[key] = value
    return out


_TYPE_WORDS: dict[type, str] = {
    str: "text in quotes",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    list: "a list",
    dict: "a table",
}
_HEADER_RE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")


def _find(lines: list[str], key: str, section: str = "", value: bool = False) -> tuple[int, int]:
    """TOML's parser keeps no positions, so find the key (or its value) in its table ourselves."""
    pattern = re.compile(rf"^\s*({re.escape(key)})\s*=\s*")
    current = ""
    for number, line in enumerate(lines, 1):
        header = _HEADER_RE.match(line)
        if header:
            if not section and header[1] == key:
                return (number, header.start(1) + 1)
            current = header[1]
            continue
        m = pattern.match(line)
        if m and current == section:
            return (number, (m.end() if value else m.start(1)) + 1)
    return (1, 1)
