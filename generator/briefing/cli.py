"""The command line: parses arguments, runs a stage, prints, picks the exit code.

Only this module prints or decides exit codes (library code collects
diagnostics). Exit codes: 0 ok, 1 content errors, 2 usage, 3 internal error.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from briefing import __version__
from briefing.content.config import CONFIG_FILE, find_site
from briefing.diagnostics import format_json, format_ok, format_text
from briefing.editing.new import NewError, new_record
from briefing.engine.builder import Options, build, check
from briefing.output.write import OutputError
from briefing.report import describe_changes

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

DESCRIPTION = """\
Build a cross-linked briefing site from curated records in content/.

examples:
  briefing check                      validate everything, write nothing
  briefing build                      write the site to public/
  briefing build --drafts --out /tmp/preview
  briefing build --base-url https://example.org/briefing/
  briefing serve                      preview at http://127.0.0.1:8000 with live reload
  briefing new actor "Vladimir Putin" create content/actors/vladimir-putin.yaml
  briefing check --format json        diagnostics for editors and CI tools

Run from the site's folder or any folder inside it (site.toml is looked for
upwards, as git looks for .git), or pass --site DIR.
Errors print as path:line:col: error: message, all at once."""

SITE_COMMANDS = ("build", "check", "new", "serve")  # the commands that work on an existing site


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="briefing", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--version", action="version", version=f"briefing {__version__}")
    site_help = "the site's folder, holding site.toml (default: the nearest one from here up)"
    # SUPPRESS: given before or after the command; absent when given nowhere
    p.add_argument("--site", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=site_help)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--site", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=site_help)
        cmd.add_argument("--strict", action="store_true", help="treat warnings as errors")
        cmd.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")

    b = sub.add_parser(
        "build",
        help="validate, then write the site",
        description="Validate everything, then write the site atomically.",
        epilog="example: briefing build --out public --base-url https://example.org/b/",
    )
    common(b)
    b.add_argument("--out", type=Path, default=None, metavar="DIR", help="output folder (default: public/)")
    b.add_argument("--drafts", action="store_true", help="include briefs marked draft: true")
    b.add_argument("--base-url", default=None, metavar="URL", help="override site.toml's base_url")
    b.add_argument(
        "--clean", action="store_true", help="ignore the build cache (.briefing-cache/) and render every page"
    )

    c = sub.add_parser(
        "check",
        help="validate only; write nothing",
        description="Validate every record and link; print every problem at once.",
        epilog="example: briefing check --format json | jq '.[].message'",
    )
    common(c)
    c.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    c.add_argument("--drafts", action="store_true", help="check as if drafts were published")

    n = sub.add_parser(
        "new",
        help="create a new record with a valid id",
        description="Create content/<kind>s/<id>.yaml (a brief: .md) from a title; "
        "non-Latin titles are transliterated.",
        epilog='examples:\n  briefing new actor "Александр Лукашенко"\n  briefing new brief "The summit at a glance"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(n)
    n.add_argument("kind", metavar="KIND", help="actor, source, event, outcome or brief")
    n.add_argument("title", metavar="TITLE", help="the record's name or title")

    s = sub.add_parser(
        "serve",
        help="build, serve and rebuild on change, with live reload",
        description="Preview the site with live reload while you edit.",
        epilog="example: briefing serve --port 8080",
    )
    common(s)
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--drafts", action="store_true", help="include drafts")
    s.add_argument("--poll", action="store_true", help="poll for changes (Docker, network mounts)")
    s.add_argument("--out", type=Path, default=None, metavar="DIR", help=argparse.SUPPRESS)
    return p


def run() -> None:
    """The ``briefing`` script: ``main``, then leave at once. A large build leaves a
    gigabyte of objects that the interpreter would free one by one on its way out
    (half a second at 10,000 briefs) though the work is done and the files are
    closed; only the output streams need flushing."""
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
        return int(globals()[f"_cmd_{args.command}"](args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
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
    try:
        result = build(
            site,
            out,
            Options(drafts=args.drafts, base_url=args.base_url, strict=args.strict),
            use_cache=True,
            clean=args.clean,
            save_in_background=True,
        )
    except OutputError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_USAGE
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


def _cmd_new(args: argparse.Namespace) -> int:
    try:
        path = new_record(_site(args), args.kind, args.title)
    except NewError as exc:
        print(f"briefing: {exc}", file=sys.stderr)
        return EXIT_USAGE if exc.usage else EXIT_CONTENT
    print(path)
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from briefing.serve.server import serve  # imported here: only serve needs watchdog

    return serve(args)
