"""``finetop cache``: where the local history is, how big it is, what it holds; clearing it.

``finetop cache`` lists every history file of the folder (one per server and workspace), the
current workspace's marked ``*``, read without changing anything. ``finetop cache clear``
empties the current workspace's file; ``--all`` empties every file (and deletes the set-aside
copies of damaged ones). A file that opens is emptied in place, which is safe while another
finetop has it open; one that does not is deleted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from tui.display.formats import MISSING, fmt_age, fmt_bytes, fmt_count
from tui.display.text import safe_text
from tui.headless import EXIT_OK
from tui.headless.history_link import history_wanted
from tui.headless.render import error_line, format_table
from tui.history import (
    HistoryStore,
    StoreInfo,
    describe_file,
    history_directory,
    history_files,
    inventory,
    remove_history_files,
    store_path,
)
from tui.history.location import FILE_SUFFIX
from tui.settings.config import Settings

__all__ = ["HEADERS", "run_cache"]

HEADERS = ("", "FILE", "SERVER", "WORKSPACE", "SIZE", "JOBS", "FINISHED", "CHECKPOINTS", "SEEN")
"""The columns of the list of history files (the first holds ``*`` for the current one)."""

CURRENT = "*"
"""Marks the current workspace's file."""


def _count(number: int, noun: str) -> str:
    """``1 history file``, ``2 history files``."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _state(settings: Settings) -> str:
    if settings.demo:
        return "not kept in demo mode"
    if not settings.cache:
        return f"off ({settings.source_of('cache')})"
    return "on"


def _row(info: StoreInfo, current: bool, now: float) -> list[str]:
    counts = info.counts
    readable = info.enabled
    return [
        CURRENT if current else "",
        info.path.name,
        safe_text(info.server_url, limit=60) if readable else MISSING,
        safe_text(info.workspace, limit=40) if readable else MISSING,
        fmt_bytes(info.disk_bytes),
        fmt_count(counts.jobs) if readable else MISSING,
        fmt_count(counts.finished_details) if readable else MISSING,
        fmt_count(counts.checkpoints) if readable else MISSING,
        fmt_age(counts.newest_seen, now) if readable else safe_text(info.warning, limit=60),
    ]


def show_cache(
    settings: Settings, *, out: TextIO, directory: Path | None = None, now: float | None = None
) -> None:
    """Print the folder, the current workspace's file and a table of every history file."""
    folder = directory or history_directory()
    now = time.time() if now is None else now
    current = store_path(settings.server_url, settings.workspace_label, folder)
    cap = fmt_bytes(settings.cache_max_mib * 1024 * 1024)
    out.write(f"history folder  {folder}\n")
    out.write(f"history         {_state(settings)}; at most {cap} per file\n")
    if history_wanted(settings):
        held = "" if current.exists() else " (none yet)"
        workspace = safe_text(settings.workspace_label, limit=40)
        out.write(f"this workspace  {workspace}: {current.name}{held}\n")
    infos = inventory(folder)
    if not infos:
        out.write("no history files\n")
        return
    rows = [_row(info, info.path == current and history_wanted(settings), now) for info in infos]
    total = sum(info.disk_bytes for info in infos)
    out.write("\n")
    for line in format_table(HEADERS, rows):
        out.write(line + "\n")
    out.write(f"\n{_count(len(infos), 'file')}, {fmt_bytes(total)} on disk\n")


def _empty(path: Path, err: TextIO) -> bool:
    """Empty one history file in place, or delete it when it cannot be opened."""
    info = describe_file(path)
    if info.enabled:
        store = HistoryStore(
            path,
            server_url=info.server_url,
            workspace=info.workspace,
            on_warning=lambda line: print(error_line(line, "warning"), file=err),
        )
        with store:
            if store.enabled:
                store.clear()
                return True
    return bool(remove_history_files(path))


def clear_cache(
    settings: Settings, *, every: bool, out: TextIO, err: TextIO, directory: Path | None = None
) -> None:
    """Empty the current workspace's history file, or every one (``every``)."""
    folder = directory or history_directory()
    if every:
        paths: Sequence[Path] = history_files(folder)
        emptied = sum(_empty(path, err) for path in paths)
        copies = sorted(folder.glob(f"*{FILE_SUFFIX}.corrupt-*")) if folder.is_dir() else []
        for copy in copies:
            copy.unlink(missing_ok=True)
        deleted = f", deleted {_count(len(copies), 'set-aside damaged file')}" if copies else ""
        out.write(f"emptied {_count(emptied, 'history file')}{deleted}\n")
        return
    if settings.demo:
        out.write("no history is kept in demo mode (--all empties every file)\n")
        return
    current = store_path(settings.server_url, settings.workspace_label, folder)
    workspace = safe_text(settings.workspace_label, limit=40)
    if not current.exists():
        out.write(f"no history for {workspace} ({current.name})\n")
        return
    _empty(current, err)
    out.write(f"emptied the history of {workspace} ({current})\n")


def run_cache(
    settings: Settings,
    *,
    clear: bool,
    every: bool,
    out: TextIO,
    err: TextIO,
    directory: Path | None = None,
) -> int:
    """``finetop cache [clear [--all]]``; returns 0."""
    if clear:
        clear_cache(settings, every=every, out=out, err=err, directory=directory)
    else:
        show_cache(settings, out=out, directory=directory)
    return EXIT_OK
