"""Watching the site's sources: which file events mean "rebuild".

The handler never builds: it only calls ``notify`` with the files an event names
(which marks a rebuild as wanted, and tells the build which files to look at), so a
burst of events from one save costs one build. Editors write
temp files, swap files and lock files around every save; those are dropped
here, as Zola's ``filter_events`` does, and a rename's destination counts as
a change because atomic saves write elsewhere and rename over the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePath

from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileOpenedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
    FileSystemMovedEvent,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from briefing.content.config import CONFIG_FILE
from briefing.content.load import ignored_name as is_editor_noise

# Opening or reading a file changes nothing (watchdog reports opens since 2.3,
# which gave Lektor spurious rebuilds); a directory's mtime changes with every
# file event inside it, which is already reported on its own.
_IGNORED_EVENTS = (FileOpenedEvent, FileClosedNoWriteEvent, DirModifiedEvent)
WATCHED_DIRS = ("content", "theme")


def relevant(site: Path, path: str) -> bool:
    """Whether a change at ``path`` can change the built site."""
    try:
        rel = PurePath(os.path.abspath(path)).relative_to(os.path.abspath(site))
    except ValueError:
        return False
    parts = rel.parts
    if not parts:
        return False
    if len(parts) == 1:
        return parts[0] in (CONFIG_FILE, *WATCHED_DIRS)
    if parts[0] not in WATCHED_DIRS:
        return False
    return not any(is_editor_noise(part) for part in parts[1:])


Notify = Callable[[frozenset[str] | None], None]


class ChangeHandler(FileSystemEventHandler):
    """Calls ``notify`` for every event that can change the site, and nothing else."""

    def __init__(self, site: Path, notify: Notify) -> None:
        self.site = site
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if wants_rebuild(self.site, event):
            self.notify(changed_files(self.site, event))


def wants_rebuild(site: Path, event: FileSystemEvent) -> bool:
    if isinstance(event, _IGNORED_EVENTS):
        return False
    return any(relevant(site, p) for p in _paths(event))


def changed_files(site: Path, event: FileSystemEvent) -> frozenset[str] | None:
    """The site's files (paths from the site's folder) that ``event`` changed; None for a
    folder's event, which may stand for every file below it."""
    if event.is_directory:
        return None
    root = os.path.abspath(site)
    return frozenset(
        PurePath(os.path.relpath(os.path.abspath(p), root)).as_posix() for p in _paths(event) if relevant(site, p)
    )


def _paths(event: FileSystemEvent) -> list[str]:
    paths = [event.src_path]
    if isinstance(event, FileSystemMovedEvent):
        paths.append(event.dest_path)
    return [os.fsdecode(p) for p in paths if p]


def start_watching(site: Path, notify: Notify, poll: bool = False) -> BaseObserver:
    """Watch ``content/``, ``theme/`` and ``site.toml``; the caller stops the observer.

    The site's own folder is watched without recursion, so a ``public/`` or
    ``node_modules/`` beside the sources costs nothing, and ``site.toml`` or a
    newly created ``content/`` is still seen.
    """
    observer: BaseObserver = PollingObserver(timeout=0.5) if poll else Observer()
    handler = ChangeHandler(site, notify)
    observer.schedule(handler, str(site), recursive=False)
    for name in WATCHED_DIRS:
        folder = site / name
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
    observer.daemon = True
    observer.start()
    return observer
