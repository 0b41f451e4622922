"""Templates escape with generator.escaping.escape: it must give MarkupSafe's text and type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import markupsafe
import pytest

from generator.escaping import escape
from generator.render import make_env

VALUES: list[Any] = [
    "", "plain", "<script>alert('x')</script>", "a & b \"quoted\" 'single'", "&amp; already escaped",
    "é 中文 \u2028 \x00", markupsafe.Markup("<b>kept</b>"), 42, 1.5, None, True,
    type("Html", (), {"__html__": lambda self: "<i>own</i>"})(),
    type("Text", (str,), {})("<subclass>"),
]


@pytest.mark.parametrize("value", VALUES)
def test_escape_matches_markupsafe(value: Any) -> None:
    ours, theirs = escape(value), markupsafe.escape(value)
    assert ours == theirs
    assert type(ours) is type(theirs)


def test_a_template_escapes_what_it_prints(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    template = env.from_string("{{ a }}|{{ b }}|{{ c|safe }}")
    assert template.render(a="<x y='1'>&", b=markupsafe.Markup("<b>"), c="<i>") == \
        "&lt;x y=&#39;1&#39;&gt;&amp;|<b>|<i>"
