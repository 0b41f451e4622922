"""Templates compiled by ``briefing.render.codegen`` print what Jinja's own code prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pytest

from briefing.render.codegen import BytecodeCache
from briefing.render.renderer import make_env

VALUES: list[Any] = [
    "",
    "plain",
    "<script>alert('x')</script>",
    "a & b \"quoted\" 'single'",
    "&amp; already escaped",
    "é 中文 \u2028 \x00",
    markupsafe.Markup("<b>kept</b>"),
    42,
    1.5,
    None,
    True,
    [1, "<"],
    {"k": "<v>"},
    type("Html", (), {"__html__": lambda self: "<i>own</i>"})(),
    type("Text", (str,), {})("<subclass>"),
]

# Reads and prints in the places Jinja compiles differently: the top level, blocks, loops
# with a filter, macros, call blocks, filter blocks, set blocks, conditions, nested reads.
TEMPLATES = [
    "{{ v }}|{{ d.v }}|{{ d.missing }}|{{ d.v|safe }}|{{ o.v }}|{{ o.missing }}",
    "{{ d.items is callable }}|{{ d.keys()|list|length }}|{{ d['items'] }}|{{ n.a.b.c }}|{{ n.a.x is undefined }}",
    "{% for x in [d, o, n] if x.v %}[{{ x.v }}]{% endfor %}{% if d.v == o.v %}same{% endif %}",
    "{% macro m(a, b='<b>') %}<{{ a.v }}|{{ b }}>{% endmacro %}{{ m(d) }}{{ m(o, b=v) }}",
    "{% macro w() %}({{ caller() }}){% endmacro %}{% call w() %}{{ d.v }}{% endcall %}",
    "{% filter upper %}{{ d.v }}{% endfilter %}|{% set s %}{{ d.v }}{% endset %}{{ s }}|{{ s|length }}",
    "{{ [d.v, o.v]|join(', ') }}|{{ d.v ~ o.v }}|{{ (d.v if d.v else o.v)|e }}|{{ n.a.b.c|upper }}",
    "{% autoescape false %}{{ d.v }}{% endautoescape %}|{{ {'k': d.v}.k }}|{{ [d][0].v }}",
    "{% extends 'base.html' %}{% block b %}[{{ d.v }}{{ super() }}]{% endblock %}",
    "{{ n.a.x.y }}",  # an error, the same both ways
]


class Obj:
    def __init__(self, v: Any) -> None:
        self.v = v


def _envs(tmp_path: Path) -> tuple[jinja2.Environment, jinja2.Environment]:
    ours = make_env(tmp_path)
    stock = jinja2.Environment(
        autoescape=ours.autoescape, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True
    )
    for env in (ours, stock):
        env.loader = jinja2.DictLoader(
            {
                "base.html": "<{% block b %}{{ d.v }}{% endblock %}>",
                **{f"t{i}.html": t for i, t in enumerate(TEMPLATES)},
            }
        )
    return ours, stock


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("index", range(len(TEMPLATES)))
def test_a_template_prints_what_jinja_prints(tmp_path: Path, index: int, value: Any) -> None:
    ours, stock = _envs(tmp_path)
    context = {"v": value, "d": {"v": value, "items": "<an item>"}, "o": Obj(value), "n": {"a": {"b": {"c": value}}}}
    name = f"t{index}.html"
    assert _outcome(ours, name, context) == _outcome(stock, name, context)


def _outcome(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        return f"{type(exc).__name__}: {exc}"


def test_the_quick_code_is_in_use(tmp_path: Path) -> None:
    ours, _ = _envs(tmp_path)
    code = ours.compile("{{ d.v }}", raw=True, name="x.html")
    assert "_escape_inner(" in code and "_ga['v']" in code
    assert "environment.getattr(_ga, 'items')" not in ours.compile("{{ d.items }}", raw=True, name="x.html")


def test_a_template_escapes_what_it_prints(tmp_path: Path) -> None:
    template = make_env(tmp_path).from_string("{{ a }}|{{ b }}|{{ c|safe }}|{{ d.e }}")
    assert (
        template.render(a="<x y='1'>&", b=markupsafe.Markup("<b>"), c="<i>", d={"e": "<e>"})
        == "&lt;x y=&#39;1&#39;&gt;&amp;|<b>|<i>|&lt;e&gt;"
    )


def test_compiled_templates_are_cached_under_this_code_s_version(tmp_path: Path) -> None:
    cache = BytecodeCache(str(tmp_path))
    stock = jinja2.FileSystemBytecodeCache(str(tmp_path))
    assert cache.get_cache_key("page.html") != stock.get_cache_key("page.html")
    env = make_env(tmp_path, tmp_path / "bc")
    (tmp_path / "bc").mkdir()
    env.loader = jinja2.DictLoader({"p.html": "{{ d.v }}"})
    assert env.get_template("p.html").render(d={"v": "<"}) == "&lt;"
    again = make_env(tmp_path, tmp_path / "bc")
    again.loader = env.loader
    assert again.get_template("p.html").render(d={"v": "<"}) == "&lt;"  # from the cache
    assert list((tmp_path / "bc").iterdir())
