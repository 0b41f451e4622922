"""The command line: parses arguments, runs a stage, prints, picks the exit code.

Only this module prints or decides exit codes (library code collects
diagnostics). Exit codes: 0 ok, 1 content errors, 2 usage (or the output is
refused or busy), 3 internal error (a bug), 4 the machine refused (a full disk,
no permission, a read-only file system).
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from briefing import __version__
from briefing.content.config import CONFIG_FILE, find_site
from briefing.diagnostics import format_json, format_ok, format_text
from briefing.editing.init import InitError, init_site, report
from briefing.editing.new import NewError, NewOptions, new_record
from briefing.editing.rename import RenameError, rename_record
from briefing.engine.builder import build
from briefing.output.failure import advice, describe, machine_error
from briefing.output.lock import OutputBusyError, output_lock
from briefing.output.write import OutputError, check_output, output_identity
from briefing.pipeline import Options, check
from briefing.report import describe_changes

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL, EXIT_MACHINE = 0, 1, 2, 3, 4

DESCRIPTION = """\
Build a cross-linked briefing site from curated records in content/.

examples:
  briefing init my-briefing           start a new site in my-briefing/
  briefing check                      validate everything, write nothing
  briefing build                      write the site to public/
  briefing build --drafts --out /tmp/preview
  briefing build --base-url https://example.org/briefing/
  briefing serve                      preview at http://127.0.0.1:8000 with live reload
  briefing new actor "Vladimir Putin" create content/actors/vladimir-putin.yaml
  briefing rename putin vladimir-putin  rename a record; links follow, the old URL redirects
  briefing check --format json        diagnostics for editors and CI tools

Run from the site's folder or any folder inside it (site.toml is looked for
upwards, as git looks for .git), or pass --site DIR.
Errors print as path:line:col: error: message, all at once."""

SITE_COMMANDS = ("build", "check", "new", "serve", "rename")  # the commands that work on an existing site
SITE_HELP = "the site's folder, holding site.toml (default: the nearest one from here up)"


def _parser() -> argparse.ArgumentParser:
    """The command line: each command's options, and the function that runs it (``run``)."""
    p = argparse.ArgumentParser(
        prog="briefing", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"briefing {__version__}")
    p.add_argument("--site", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=SITE_HELP)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_build, _add_check, _add_new, _add_init, _add_serve, _add_rename):
        add(sub)
    return p


def _common(cmd: argparse.ArgumentParser) -> None:
    # SUPPRESS: given before or after the command; absent when given nowhere
    cmd.add_argument("--site", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=SITE_HELP)
    cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
    cmd.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")


def _no_search(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--no-search",
        dest="search",
        action="store_false",
        help="make no search index (pagefind/); the search page lists every record A to Z "
        "(site.toml: [search] enabled = false)",
    )


def _add_build(sub: Any) -> None:
    b = sub.add_parser(
        "build",
        help="validate, then write the site",
        description="Validate everything, then write the site atomically.",
        epilog="example: briefing build --out public --base-url https://example.org/b/",
    )
    _common(b)
    b.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: public/)")
    b.add_argument("--drafts", action="store_true", help="include briefs marked draft: true")
    b.add_argument("--base-url", default=None, metavar="URL", help="override site.toml's base_url")
    b.add_argument(
        "--clean", action="store_true", help="ignore the build cache (.briefing-cache/) and render every page"
    )
    _no_search(b)
    b.add_argument(
        "--no-wait",
        action="store_true",
        help="if another build of the same output is running, stop at once (exit 2) instead of waiting for it",
    )
    b.set_defaults(run=_cmd_build)


def _add_check(sub: Any) -> None:
    c = sub.add_parser(
        "check",
        help="validate only; write nothing",
        description="Validate every record and link; print every problem at once.",
        epilog="example: briefing check --format json | jq '.[].message'",
    )
    _common(c)
    c.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    c.add_argument("--drafts", action="store_true", help="check as if drafts were published")
    c.set_defaults(run=_cmd_check)


def _add_new(sub: Any) -> None:
    n = sub.add_parser(
        "new",
        help="create a new record with a valid id",
        description="Create content/<kind>s/<id>.yaml (a source or brief: .md) from a title; "
        "non-Latin titles are transliterated. Facts you must supply are left empty for check to ask for; "
        "a title that matches an existing record's name or alias is refused without --force.",
        epilog="examples:\n"
        '  briefing new actor "Александр Лукашенко"\n'
        '  briefing new event "SCO summit in Tianjin" --id sco-summit-2025\n'
        '  briefing new source "Xi and Putin share a vision" --id tass-summary --text article.txt\n'
        '  briefing new brief "The summit at a glance"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(n)
    n.add_argument("kind", metavar="KIND", help="actor, source, event, outcome or brief")
    n.add_argument("title", metavar="TITLE", help="the record's name or title")
    n.add_argument(
        "--id", dest="rid", default=None, metavar="ID", help="the id (file name) to use instead of one made from TITLE"
    )
    n.add_argument(
        "--text",
        type=Path,
        default=None,
        metavar="FILE",
        help="a source's article text (UTF-8; - reads standard input)",
    )
    n.add_argument(
        "--force", action="store_true", help="create it even when TITLE matches an existing record's name or alias"
    )
    n.set_defaults(run=_cmd_new)


def _add_init(sub: Any) -> None:
    i = sub.add_parser(
        "init",
        help="start a new site that builds at once",
        description="Write site.toml, the content folders, .gitignore and example records that link "
        "to each other into DIR (created if need be), then print what to run next.",
        epilog="examples:\n  briefing init my-briefing\n  briefing init .            the current folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument(
        "dir", nargs="?", default=".", metavar="DIR", help="a new or empty folder (default: the current one)"
    )
    i.add_argument(
        "--force", action="store_true", help="write into a folder that is not empty; existing files are kept"
    )
    i.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    i.set_defaults(run=_cmd_init)


def _add_serve(sub: Any) -> None:
    s = sub.add_parser(
        "serve",
        help="build, serve and rebuild on change, with live reload",
        description="Preview the site with live reload while you edit.",
        epilog="example: briefing serve --port 8080",
    )
    _common(s)
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--drafts", action="store_true", help="include drafts")
    s.add_argument("--poll", action="store_true", help="poll for changes (Docker, network mounts)")
    _no_search(s)
    s.add_argument("--out", type=Path, default=None, metavar="DIR", help=argparse.SUPPRESS)
    s.set_defaults(run=_cmd_serve)


def _add_rename(sub: Any) -> None:
    r = sub.add_parser(
        "rename",
        help="give a record a new id; every reference follows, and the old URL redirects",
        description="Move the record's file to NEW, replace OLD by NEW in every field, [[link]] and "
        "[@citation] that names it (nothing else in those files changes), add OLD to its moved_from "
        "(its old URL then redirects), then check the site and print the files changed.",
        epilog="example: briefing rename putin vladimir-putin",
    )
    _common(r)
    r.add_argument("old", metavar="OLD", help="the record's id now")
    r.add_argument("new", metavar="NEW", help="its new id: lower-case letters, digits and single hyphens")
    r.set_defaults(run=_cmd_rename)


def run() -> None:
    """The ``briefing`` script: ``main``, then leave at once. A large build leaves a
    gigabyte of objects that the interpreter would free one by one on its way out,
    though the work is done and the files are closed; only the output streams need flushing."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command in SITE_COMMANDS and getattr(args, "site", None) is None:
        found = find_site(Path.cwd())
        if found is None:
            print(
                f"briefing: no {CONFIG_FILE} in {Path.cwd()} or any folder above it; "
                "run from the site's folder or pass --site DIR",
                file=sys.stderr,
            )
            return EXIT_USAGE
        args.site = found
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        refused = machine_error(exc)
        if refused is not None:
            hint = advice(refused)
            print(f"briefing: {describe(refused)}" + (f"\n{hint}" if hint else ""), file=sys.stderr)
            return EXIT_MACHINE
        if getattr(args, "debug", False):
            traceback.print_exc()
        else:
            print(
                f"briefing: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in briefing, not in your content. Run again with --debug and "
                "report the traceback with the briefing version "
                f"({__version__}).",
                file=sys.stderr,
            )
        return EXIT_INTERNAL


def _site(args: argparse.Namespace) -> Path:
    return Path(args.site)


def _report(result_diags: list, strict: bool) -> None:  # type: ignore[type-arg]
    if result_diags:
        sys.stderr.write(format_text(result_diags, strict))


def _cmd_check(args: argparse.Namespace) -> int:
    result = check(_site(args), Options(drafts=args.drafts, strict=args.strict))
    diags = result.diags.sorted()
    if args.format == "json":
        sys.stdout.write(format_json(diags))
    elif diags or result.library is None:
        _report(diags, args.strict)
    else:
        records = len(result.library.records) + len(result.library.drafts)
        sys.stderr.write(format_ok(records, records + 1))  # every content file is a record, and site.toml
    return EXIT_CONTENT if result.diags.failed(args.strict) else EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    site = _site(args)
    out = args.out if args.out is not None else site / "public"
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        print("briefing: --base-url must be an absolute http(s) URL", file=sys.stderr)
        return EXIT_USAGE
    before: list[tuple[int, ...] | None] = []  # the output as this build found it, once it holds the lock
    try:
        check_output(site, out)  # before the lock, whose file goes beside the output
        with output_lock(out, wait=not args.no_wait, waiting=lambda line: print(line, file=sys.stderr, flush=True)):
            before.append(output_identity(out))
            result = build(
                site,
                out,
                Options(drafts=args.drafts, base_url=args.base_url, strict=args.strict, search=args.search),
                use_cache=True,
                clean=args.clean,
                save_in_background=True,
            )
    except (OutputError, OutputBusyError) as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        refused = machine_error(exc)
        if refused is None:
            raise
        print(f"briefing: {describe(refused)}\n{_after_failure(out, before, advice(refused))}", file=sys.stderr)
        return EXIT_MACHINE
    _report(result.diags.sorted(), args.strict)
    if result.diags.failed(args.strict):
        kept = "the previous output is unchanged" if out.exists() else f"nothing was written to {out}"
        print(f"build failed; {kept}", file=sys.stderr)
        return EXIT_CONTENT
    changed = len(result.written) + len(result.removed)
    if not changed:
        print(f"nothing changed; {out} is up to date ({len(result.files)} files)", file=sys.stderr)
    elif len(result.written) == len(result.files):
        print(f"wrote {len(result.files)} files to {out}", file=sys.stderr)
    else:
        print(f"updated {out}: {describe_changes(result.written, result.removed, len(result.files))}", file=sys.stderr)
    return EXIT_OK


def _after_failure(out: Path, before: list[tuple[int, ...] | None], hint: str) -> str:
    """What a build that the machine stopped left in ``out``, and what to do."""
    after = output_identity(out)
    if not before:  # stopped before it could write anything
        state = f"{out} is unchanged"
    elif after is None and before[0] is None:
        state = f"nothing was written to {out}"
    elif after == before[0]:
        state = f"the previous output in {out} is unchanged"
    else:
        state = f"{out} holds the new site, but the build did not finish"
    return f"{state}; {hint}" if hint else state


def _cmd_new(args: argparse.Namespace) -> int:
    try:
        created = new_record(_site(args), args.kind, args.title, NewOptions(args.rid, args.text, args.force))
    except NewError as exc:
        print("\n".join(f"briefing: {line}" for line in str(exc).splitlines()), file=sys.stderr)
        return EXIT_USAGE if exc.usage else EXIT_CONTENT
    for warning in created.warnings:
        print(f"briefing: warning: {warning}; created anyway (--force)", file=sys.stderr)
    print(created.path)
    return EXIT_OK


def _cmd_rename(args: argparse.Namespace) -> int:
    try:
        done = rename_record(_site(args), args.old, args.new)
    except RenameError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.usage else EXIT_CONTENT
    if done.finished:
        print(f"briefing: finished an interrupted rename first: {', '.join(done.finished)}", file=sys.stderr)
    print(f"renamed {done.moved[0]} to {done.moved[1]}; changed {len(done.changed)} files:", file=sys.stderr)
    for path in done.changed:
        print(path)
    return _cmd_check(argparse.Namespace(**{**vars(args), "format": "text", "drafts": False}))


def _cmd_init(args: argparse.Namespace) -> int:
    try:
        started = init_site(Path(args.dir), force=args.force)
    except InitError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(report(started, args.dir))
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from briefing.serve.server import serve  # imported here: only serve needs watchdog

    return serve(args)
