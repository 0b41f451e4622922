"""Sizes of the package's modules, classes and functions, largest first.

The rule of thumb (docs/architecture.md): modules under 400 lines, classes under 250,
functions under 60 lines and at most 6 parameters. A definition that must be bigger says
why in a comment that starts with ``# size:`` on the line above it (or, for a module, in
its first lines); ``--check`` lists the rest and exits 1 when there are any.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

LIMITS = {"module": 400, "class": 250, "function": 60}
MAX_PARAMS = 6
PLURAL = {"module": "modules", "class": "classes", "function": "functions"}
ROOT = Path(__file__).resolve().parent.parent / "generator"


def _params(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    a = node.args
    names = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    count = len(names) + (a.vararg is not None) + (a.kwarg is not None)
    return count - (1 if names and names[0].arg in ("self", "cls") else 0)


def _excused(lines: list[str], line: int) -> bool:
    """A ``# size:`` comment on the lines just above a definition (or its decorators)."""
    i = line - 2
    while i >= 0 and lines[i].strip().startswith(("@", "# size:", "#")):
        if lines[i].strip().startswith("# size:"):
            return True
        i -= 1
    return False


def sizes(root: Path = ROOT) -> list[tuple[str, str, int, int, bool]]:
    """(kind, name, lines, parameters, excused) for every module, class and function."""
    out = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        lines = text.splitlines()
        rel = path.relative_to(root.parent).as_posix()
        out.append(("module", rel, len(lines), 0, any(ln.startswith("# size:") for ln in lines[:40])))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                kind = "class" if isinstance(node, ast.ClassDef) else "function"
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                params = 0 if kind == "class" else _params(node)  # type: ignore[arg-type]
                out.append((kind, f"{rel}:{node.lineno} {node.name}", length, params, _excused(lines, node.lineno)))
    return out


def over(entries: list[tuple[str, str, int, int, bool]]) -> list[tuple[str, str, int, int, bool]]:
    return [e for e in entries if (e[2] > LIMITS[e[0]] or e[3] > MAX_PARAMS)]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--check", action="store_true", help="list what is over a limit without a '# size:' reason")
    p.add_argument("--root", type=Path, default=ROOT)
    args = p.parse_args()
    entries = sizes(args.root)
    for kind in LIMITS:
        mine = sorted((e for e in entries if e[0] == kind), key=lambda e: -e[2])
        print(
            f"{PLURAL[kind]}: {len(mine)}, largest {mine[0][2] if mine else 0} lines, "
            f"over {LIMITS[kind]}: {sum(e[2] > LIMITS[kind] for e in mine)}"
        )
    many = [e for e in entries if e[3] > MAX_PARAMS]
    print(f"functions with more than {MAX_PARAMS} parameters: {len(many)}")
    bad = over(entries)
    for kind, name, length, params, excused in sorted(bad, key=lambda e: -e[2]):
        print(f"  {kind:8} {length:4} lines {params:2} params  {name}{'  (excused)' if excused else ''}")
    unexcused = [e for e in bad if not e[4]]
    return 1 if args.check and unexcused else 0


if __name__ == "__main__":
    sys.exit(main())
