"""Hostile input: attack strings in every field must build into inert pages, and
files built to exhaust the generator must become content errors, not crashes.

``tests/sites/hostile`` holds script tags, event-handler attributes, script URLs
(plain, entity- and whitespace-obfuscated), Jinja syntax, ``</script>`` for the
JSON-LD block, right-to-left overrides and emoji in every text field of every
kind. The checks parse the output as a browser or feed reader would.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing.content import load, yamlpos
from briefing.markdown.convert import Markup
from briefing.markdown.extensions import Links
from conftest import run_cli
from update_goldens import SITES, run

SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset"}
BANNED_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
BIG_BRIEF_BYTES = 200_000


class PageAudit(HTMLParser):
    """Everything in one HTML page that could run script."""

    def __init__(self, base_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base_path = base_path
        self.problems: list[str] = []
        self.jsonld: list[str] = []
        self.text: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRS and script_url(value or ""):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in BANNED_TAGS or (tag == "meta" and values.get("http-equiv", "").lower() == "refresh"):
            self.problems.append(f"<{tag}>")
        if tag == "script":
            src, kind = values.get("src", ""), values.get("type", "").strip().lower()
            if kind == "application/ld+json" and not src:
                self._in_jsonld = True
                self.jsonld.append("")
            elif not runnable(kind):
                pass  # a data block (a search result template, say): browsers never run it
            elif not src.startswith((self.base_path + "static/", self.base_path + "pagefind/")):
                self.problems.append(f"<script {values}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld[-1] += data
        else:
            self.text.append(data)


def runnable(script_type: str) -> bool:
    """Browsers run a script with no type, a JavaScript type or "module"; any other is data."""
    return script_type in ("", "module") or "script" in script_type


def script_url(value: str) -> bool:
    """As a browser reads a URL: entities decoded, tabs, newlines and controls dropped."""
    plain = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value)).lower()
    return plain.startswith(SCRIPT_SCHEMES)


def audit(text: str, base_path: str) -> PageAudit:
    parser = PageAudit(base_path)
    parser.feed(text)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile site, plus a 200 KB brief made of its attack paragraphs, built once."""
    site = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(SITES / "hostile", site)
    attack = (site / "content/briefs/attack.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    body = (attack + "\n\n") * (BIG_BRIEF_BYTES // len(attack.encode()) + 1)
    (site / "content/briefs/big.md").write_text(
        f'---\ntitle: "Big {{{{ 7*7 }}}}"\ndate: 2025-11-29\n---\n{body}', encoding="utf-8"
    )
    code, _, err = run("build", "--site", str(site))
    assert code == 0, err
    return site / "public"


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def test_the_big_brief_is_built(hostile_out: Path) -> None:
    assert (hostile_out / "briefs/big/index.html").stat().st_size > BIG_BRIEF_BYTES


def test_no_page_holds_anything_executable(hostile_out: Path) -> None:
    problems = {}
    for page in html_pages(hostile_out):
        found = audit(page.read_text(encoding="utf-8"), "/hostile/").problems
        if found:
            problems[page.relative_to(hostile_out).as_posix()] = sorted(set(found))
    assert problems == {}


def test_the_audit_catches_what_it_looks_for() -> None:
    bad = (
        '<a href=" jav&#x09;ascript:alert(1)">x</a><img src=x onerror=alert(1)>'
        '<script>alert(1)</script><iframe></iframe><script type="Module">x</script>'
        '<script type="text/x-template"><b>data</b></script><script src="/static/app.js"></script>'
    )
    assert len(audit(bad, "/").problems) == 5


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("actors/mallory/index.html", "Mallory <script>alert('name')</script> \" onmouseover=\"alert(1)"),
        ("actors/evil-state/index.html", "State of </script><!--<script>"),
        ("sources/leak/index.html", "The leak says <script>alert('quote')</script> in full."),
        ("events/gathering/index.html", "</script><script>alert('location')</script>"),
        ("outcomes/deal/index.html", "Deal \u202e<script>alert('outcome')</script>"),
        ("briefs/attack/index.html", "<script>alert(‘raw’)</script>"),  # smart quotes: it went through Markdown
    ],
)
def test_attack_strings_reach_the_page_as_text(hostile_out: Path, page: str, shown: str) -> None:
    assert shown in "".join(audit((hostile_out / page).read_text(encoding="utf-8"), "/hostile/").text)


def test_json_ld_parses_and_cannot_close_its_script(hostile_out: Path) -> None:
    for page in html_pages(hostile_out):
        blocks = audit(page.read_text(encoding="utf-8"), "/hostile/").jsonld
        assert len(blocks) == 1, page
        assert "</" not in blocks[0] and "<!--" not in blocks[0], page
        assert json.loads(blocks[0])["@context"] == "https://schema.org"


def test_jinja_syntax_in_content_stays_text(hostile_out: Path) -> None:
    page = (hostile_out / "briefs/attack/index.html").read_text(encoding="utf-8")
    for literal in ("{{ 7*7 }}", "{% raw %}", "{# comment #}"):
        assert literal in page
    assert "Attack" in page and "49" not in page


def test_feed_sitemap_and_data_parse(hostile_out: Path) -> None:
    feed = ET.parse(hostile_out / "feed.xml").getroot()
    ET.parse(hostile_out / "sitemap.xml")
    records = json.loads((hostile_out / "data/site.json").read_text(encoding="utf-8"))["records"]
    assert {r["id"] for r in records} >= {"attack", "big", "mallory", "evil-state", "leak", "gathering", "deal"}
    contents = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}content")]
    assert len(contents) == 2
    for content in contents:  # feed readers render this HTML: it must be as inert as the pages
        assert audit(content, "/hostile/").problems == []


def test_right_to_left_override_and_emoji_survive(hostile_out: Path) -> None:
    page = (hostile_out / "briefs/attack/index.html").read_text(encoding="utf-8")
    assert "🚀" in page and "\u202e" in page


def test_script_urls_are_dropped_even_from_allowed_raw_html(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "hostile", site)
    with (site / "site.toml").open("a") as fh:
        fh.write("\n[markdown]\nunsafe_html = true\n")
    assert run("build", "--site", str(site))[0] == 0
    page = (site / "public/briefs/attack/index.html").read_text(encoding="utf-8")
    assert "<script>alert('raw')</script>" in page  # the site asked for raw HTML...
    assert '<a data-unsafe-url="">raw</a>' in page  # ...but not for script URLs
    for other in html_pages(site / "public"):
        problems = audit(other.read_text(encoding="utf-8"), "/hostile/").problems
        assert not [p for p in problems if " href=" in p or " src=" in p], other


# --- files made to exhaust or escape the generator -------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, name = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(yamlpos.YamlError) as caught:
        yamlpos.parse(billion_laughs())
    assert caught.value.code == "yaml-limit"
    assert "aliases may expand without bound" in caught.value.message


def test_nesting_past_the_limit_is_refused() -> None:
    depth = yamlpos.MAX_DEPTH + 5
    with pytest.raises(yamlpos.YamlError) as caught:
        yamlpos.parse("a: " + "[" * depth + "]" * depth + "\n")
    assert caught.value.message == f"nested deeper than {yamlpos.MAX_DEPTH} levels"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("laughs.yaml", billion_laughs().encode(), "error: too many values (over 100000); aliases may expand"),
        ("deep.yaml", b"name: " + b"[" * 200 + b"]" * 200 + b"\n", "error: nested deeper than 64 levels"),
        (
            "deep-block.yaml",
            "".join(f"{'  ' * i}k{i}:\n" for i in range(100)).encode(),
            "error: nested deeper than 64 levels",
        ),
        (
            "huge.yaml",
            b"name: x\nkind: person\nrole: " + b"x" * (load.MAX_FILE_BYTES + 1) + b"\n",
            "1:1: error: file is 4,194,333 bytes, over the 4,194,304-byte limit; split it",
        ),
        (
            "python.yaml",
            b"name: !!python/object/apply:os.system ['touch pwned']\nkind: person\n",
            "1:7: error: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not supported; remove it",
        ),
        (
            "pyname.yaml",
            b"name: !!python/name:os.system x\nkind: person\n",
            "1:7: error: invalid value: could not determine a constructor for the tag",
        ),
        ("set.yaml", b"name: x\nkind: person\naliases: !!set {a, b}\n", "3:10: error: the tag"),
        ("key.yaml", b"? [a, b]\n: c\nname: x\n", "1:3: error: a key must be a plain word"),
    ],
)
def test_hostile_files_are_content_errors(
    site_copy: Callable[[str], Path], name: str, content: bytes, expected: str
) -> None:
    site = site_copy("valid")
    (site / "content/actors" / name).write_bytes(content)
    code, _, err = run("check", "--site", str(site))
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert code == 1 and len(errors) == 1, err
    assert errors[0].startswith(f"content/actors/{name}:") and expected in errors[0], err
    assert not (site / "pwned").exists() and not Path("pwned").exists()


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: " + "[" * 100_000 + "]" * 100_000 + "\n", "1:71"),
        ("- " * 100_000 + "x\n", "1:131"),
    ],
)
def test_nesting_that_would_crash_the_yaml_composer_is_refused(
    site_copy: Callable[[str], Path], text: str, where: str
) -> None:
    site = site_copy("valid")
    (site / "content/actors/deep.yaml").write_text(text)
    proc = run_cli("check", "--site", site)  # a child process: a crash here must not take pytest with it
    assert proc.returncode == 1, proc.stderr
    assert f"content/actors/deep.yaml:{where}: error: nested deeper than 64 levels\n" in proc.stderr


def test_markdown_too_deep_to_render_is_a_content_error(site_copy: Callable[[str], Path]) -> None:
    site = site_copy("valid")
    nested = "\n".join("  " * i + "- item" for i in range(400))
    (site / "content/briefs/deep.md").write_text(
        f"---\ntitle: Deep\ndate: 2025\nsummary: plain\n---\nIntro.\n\n{nested}\n\nA {'*' * 3000}x{'*' * 3000}.\n"
    )
    (site / "content/actors/starry.yaml").write_text(f'name: Starry\nkind: other\nsummary: "{"- " * 500}x"\n')
    code, _, err = run("check", "--site", str(site))
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors == [
        "content/actors/starry.yaml:3:10: error: 'summary' holds lists or quotes nested 500 levels deep; "
        "Markdown renders at most 100",
        "content/briefs/deep.md:108:1: error: 'body' holds lists or quotes nested 101 levels deep; "
        "Markdown renders at most 100",
        "content/briefs/deep.md:409:3: error: 'body' holds 3000 '*' in a row; Markdown renders at most 500",
    ]
    assert code == 1


def test_markdown_past_the_renderers_recursion_still_renders_as_text() -> None:
    markup = Markup(Links({}, "/dates/"))
    assert markup.render("- " * 2000 + "<b>x</b>").endswith("- &lt;b&gt;x&lt;/b&gt;</p>")
    assert markup.render("*a*") == "<p><em>a</em></p>"  # and the converter is fine afterwards


def test_a_symlink_out_of_content_is_refused(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("valid")
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: Secret\nkind: person\n")
    (site / "content/actors/secret.yaml").symlink_to(secret)
    (site / "content/actors/inside.yaml").symlink_to(site / "content/actors/karl-ode.yaml")
    code, _, err = run("check", "--site", str(site))
    assert code == 1
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert errors == [
        "content/actors/secret.yaml:1:1: error: a link to a file outside content/; copy the file in instead"
    ]
    assert "actor 'inside'" in err  # a link inside content/ is read: a second 'Karl Ode' that nothing mentions


def test_links_that_lead_nowhere_and_pipes_are_content_errors(site_copy: Callable[[str], Path], tmp_path: Path) -> None:
    site = site_copy("valid")
    actors = site / "content/actors"
    (actors / "loop.yaml").symlink_to("loop.yaml")
    (actors / "dangling.yaml").symlink_to(tmp_path / "missing.yaml")
    os.mkfifo(actors / "pipe.yaml")  # reading it would block the build for ever
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "ghost.yaml").write_text("name: Ghost\nkind: person\n")
    shutil.rmtree(site / "content/outcomes")
    (site / "content/outcomes").symlink_to(outside, target_is_directory=True)
    code, _, err = run("check", "--site", str(site))
    nowhere = "1:1: error: a link that leads nowhere (its target is missing, or it loops); fix or delete it"
    assert {
        f"content/actors/dangling.yaml:{nowhere}",
        f"content/actors/loop.yaml:{nowhere}",
        "content/actors/pipe.yaml:1:1: error: not a regular file (a pipe or a device?); replace it with a text file",
        "content/outcomes/ghost.yaml:1:1: error: a link to a file outside content/; copy the file in instead",
    } <= set(err.splitlines())
    assert code == 1
