"""What a build reads, looked at cheaply: every input file's stat, and the list of content files.

A build whose scan (size, modification time and inode of ``site.toml``, every file
under ``content/`` and the theme folders) equals the last one's has nothing to do. A
file changed so close to the last scan that it may share its modification time with
the version before is not trusted (``racy``): it is read again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from pathlib import Path
from stat import S_ISREG

from briefing.content.config import CONFIG_FILE
from briefing.content.load import CONTENT_DIR, content_files, ignored_name
from briefing.diagnostics import Diagnostic, Diagnostics
from briefing.render.theme import theme_dirs

Stat = tuple[int, int, int]  # size, mtime_ns, inode
# content/'s names, and the content files and diagnostics they gave
Listing = tuple[frozenset[str], list[tuple[str, str]], list[Diagnostic]]

RACY_NS = 2_000_000_000  # a file changed this close to the last scan may share its mtime
THEME_KEYS = "theme"  # how the theme folders' part of a scan is keyed: theme0/templates/...
SPECIAL = "\0special"  # a scan entry saying a symlink or a special file was seen


class Inputs:
    """The site's input files as of the last ``scan``, and the last listing of content/."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.theme: dict[str, Stat] = {}  # the theme's part of the last scan
        self.listing: Listing | None = None
        self.last: dict[str, Stat] | None = None  # the last scan

    def scan(self, changed: Collection[str] | None = None) -> dict[str, Stat]:
        """Stat every input file: a build with the same stats has nothing to do.

        ``changed``: the site's paths a file watcher saw change since the last scan (the
        dev server); only they are looked at again, and everything when one of them is
        not a plain file of ``content/`` or ``site.toml``."""
        out = self._again(changed) if changed is not None else None
        self.last = out if out is not None else self._everything()
        return self.last

    def stale(self) -> bool:
        """Whether ``content/`` or ``site.toml`` differ from the last scan: a check, off the
        path to the page, that a watcher's list of changes missed none (a change to the
        theme always scans everything)."""
        if self.last is None:
            return False
        theme = {k for k in self.last if k.startswith(THEME_KEYS)}
        return self._everything(theme=False) != {k: v for k, v in self.last.items() if k not in theme}

    def _again(self, changed: Collection[str]) -> dict[str, Stat] | None:
        """The last scan with ``changed`` looked at again; None when that cannot say."""
        last = self.last
        if last is None or SPECIAL in last:
            return None
        out = dict(last)
        for rel in changed:
            if rel != CONFIG_FILE and not rel.startswith(CONTENT_DIR + "/"):
                return None  # the theme's files are keyed by folder: look at them all
            try:
                st = os.stat(self.site / rel, follow_symlinks=False)
            except FileNotFoundError:
                out.pop(rel, None)
                continue
            except OSError:
                return None
            if not S_ISREG(st.st_mode):
                return None  # a folder (what is below it changed too), a link or a pipe
            out[rel] = (st.st_size, st.st_mtime_ns, st.st_ino)
        return out

    def _everything(self, theme: bool = True) -> dict[str, Stat]:
        out: dict[str, Stat] = {}
        st = stat(self.site / CONFIG_FILE)
        if st[0] >= 0:
            out[CONFIG_FILE] = st
        # editors' swap and temp files are never content (``load.content_files``)
        _walk(out, str(self.site / CONTENT_DIR), CONTENT_DIR, ignored_name)
        if not theme:
            return out
        self.theme = {}
        for i, folder in enumerate(theme_dirs(self.site)):
            for part in ("templates", "static"):  # not its __init__.py and bytecode (the bundled one)
                _walk(self.theme, str(folder / part), f"theme{i}/{part}")
        out.update(self.theme)
        return out

    def content(
        self, scan: dict[str, Stat], last: Listing | None, same_names: bool, diags: Diagnostics
    ) -> list[tuple[str, str]]:
        """The content files (kind, path in the site), as ``load.content_files`` lists them; its
        answer depends only on the names and types of the entries, so it is asked again only
        when those change. ``last``: the last listing; ``same_names``: whether the scan has the
        names the scan of that listing had (then its names need not be gathered again)."""
        if last is not None and same_names:
            names = last[0]
        else:
            names = frozenset(k for k in scan if k.startswith(CONTENT_DIR + "/"))
        if last is not None and last[0] == names and SPECIAL not in scan:
            entries, found = last[1], last[2]
        else:
            local = Diagnostics()
            entries = [(kind, path.relative_to(self.site).as_posix()) for kind, path in content_files(self.site, local)]
            found = local.items
        self.listing = (names, entries, found)
        diags.items.extend(found)
        return entries


def stat(path: Path) -> Stat:
    try:
        st = path.stat()
    except OSError:
        return (-1, -1, -1)
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def racy(scan: dict[str, Stat], since: int) -> bool:
    """True when a file changed so close to the last scan that its stat cannot be trusted."""
    limit = since - RACY_NS
    return any(st[1] >= limit for st in scan.values())


def _walk(out: dict[str, Stat], folder: str, rel: str, skip: Callable[[str], bool] | None = None) -> None:
    try:
        entries = os.scandir(folder)
    except OSError:
        return
    with entries:
        for entry in entries:
            if skip is not None and skip(entry.name):
                continue
            name = f"{rel}/{entry.name}"
            try:
                if entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    out[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
                elif entry.is_dir(follow_symlinks=False):
                    _walk(out, entry.path, name, skip)
                else:  # links and pipes: ``content_files`` must look at them every time
                    out[SPECIAL] = (1, 1, 1)
                    st = entry.stat(follow_symlinks=False)
                    out[name] = (st.st_size, st.st_mtime_ns, st.st_ino)
            except OSError:
                continue
