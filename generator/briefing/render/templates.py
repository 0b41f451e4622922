"""Templates: Jinja's environment for a site's themes, and a template's error as a diagnostic."""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import jinja2

from briefing.diagnostics import Diagnostics
from briefing.render.theme import BUNDLED, theme_dirs

DICT_NAMES = frozenset(dir(dict))  # ``x.items`` on a dict is its method, not its item


class Environment(jinja2.Environment):
    """Jinja's environment, reading a view model's fields as items first."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``x.name`` on a view model's dict, without Jinja's failed attribute lookup first.

        Jinja tries ``getattr`` before ``[]``; on a dict that raises an exception, and a
        page reads hundreds of fields. Names of dict methods (``items``, ``keys``...)
        still go the usual way, so ``x.items`` means what it means in Jinja.
        """
        if type(obj) is dict and attribute not in DICT_NAMES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_env(site: Path, bytecode_dir: Path | None = None, env_class: type[Environment] = Environment) -> Environment:
    """The environment for ``site``'s theme folders, its own first; compiled templates are
    kept in ``bytecode_dir`` when given."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in theme_dirs(site)])
    cache = jinja2.FileSystemBytecodeCache(str(bytecode_dir)) if bytecode_dir else None
    env = env_class(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=cache,
    )
    env.tests["cyrillic"] = lambda text: any("\u0400" <= ch <= "\u04ff" for ch in str(text))
    env.filters["url"] = _url_filter
    return env


@jinja2.pass_context
def _url_filter(context: jinja2.runtime.Context, path: str) -> str:
    """``"feed.xml"|url`` is ``url("feed.xml")``: Jinja calls a filter directly, a function
    through the context (base.html links a dozen paths on every page). Taking the context, it
    calls the page's own ``url``, and Jinja never folds it into a compiled template."""
    return context["url"](path)  # type: ignore[no-any-return]


# What a theme's bug raises while a page renders: reported at the template's line.
THEME_BUGS = (TypeError, ValueError, AttributeError, KeyError, IndexError)


def report(exc: Exception, site: Path, template: str, page_path: str, diags: Diagnostics) -> None:
    """Report a template's error, or its bug, at the template's file and line, naming the page.

    A missing template names the template and the page, and where it was looked for.
    Anything that is not a template's doing (no template line in the traceback) is
    raised again: it is a bug of the generator, not of the theme."""
    frame = _template_frame(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        asked_by = frame[0] if frame else None
        where = _rel(asked_by, site) if asked_by else f"theme/templates/{exc.name}"
        looked = ", ".join(
            "the bundled theme" if d == BUNDLED else _rel(str(d / "templates"), site) + "/" for d in theme_dirs(site)
        )
        diags.error(
            where,
            (frame[1] if frame else 1, 1),
            "template",
            f"template '{exc.name}' not found while rendering /{page_path} (looked in {looked}); "
            f"add theme/templates/{exc.name} or fix the name",
        )
        return
    if isinstance(exc, jinja2.TemplateError):
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or template
        line = getattr(exc, "lineno", None) or 1
        if frame and not getattr(exc, "lineno", None):
            name, line = frame
        diags.error(_rel(name, site), (line, 1), "template", f"template error while rendering /{page_path}: {exc}")
        return
    if frame is None:
        raise exc
    name, line = frame
    diags.error(
        _rel(name, site),
        (line, 1),
        "template",
        f"template failed while rendering /{page_path}: {type(exc).__name__}: {exc}",
    )


def _rel(name: str, site: Path) -> str:
    try:
        return Path(name).resolve().relative_to(site.resolve()).as_posix()
    except ValueError:
        return name


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template line in a traceback: where a theme's bug is."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.endswith((".html", ".xml")):
            found = (name, line)
    return found
