"""What finetop remembers between runs: the theme chosen in the palette, and, per server and
workspace, the sort, the filter text and the status group filter.

This is state, not configuration: it lives in its own file (:func:`tui.settings.places.
state_file_path`), never in ``config.toml``, and the config and flags always win over it (a
``theme =`` or ``--theme`` beats the theme last chosen in the palette). The file is JSON::

    {"version": 1, "theme": "nord",
     "workspaces": {"https://api.mistral.ai Work": {"sort": "created", "descending": true,
                                                      "filter": "s42", "group": "running"}}}

It is written atomically with mode 0600. A damaged, unreadable or foreign file is ignored with
one warning (and replaced by the next save); it never stops finetop. Saving re-reads the file
first and changes only what this process changed, so two finetops on different workspaces keep
each other's state. Bounded: at most :data:`MAX_WORKSPACES` workspaces, the least recently
saved forgotten first, and short strings only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from tui.settings.private import replace_private_file
from tui.settings.urls import canonical_server_url

__all__ = [
    "MAX_WORKSPACES",
    "STATE_VERSION",
    "UiState",
    "ViewState",
    "read_state",
    "save_state",
    "workspace_key",
]

STATE_VERSION = 1
"""The format this finetop reads and writes."""
MAX_WORKSPACES = 50
"""Workspaces remembered at most; the least recently saved is forgotten first."""
MAX_FILTER_CHARS = 200
"""The longest filter text kept (a longer one is cut)."""
MAX_NAME_CHARS = 100
"""The longest theme, sort or group name accepted (names are short words)."""
MAX_FILE_BYTES = 1024 * 1024
"""A state file larger than this is not read (it cannot be one finetop wrote)."""
DEMO_KEY = "demo"
"""The demo simulator's workspace key (its URL changes every run)."""


class _Damaged(Exception):
    """The file is not a state file finetop can use; the message says why."""


@attrs.frozen
class ViewState:
    """How one workspace's job list was last shown. ``None`` means "not remembered"."""

    sort: str | None = None
    """The sort column's name (``tui.monitor.query.SortColumn`` values)."""
    descending: bool | None = None
    """The sort direction."""
    filter: str = ""
    """The filter text (a leading ``!`` inverts)."""
    group: str | None = None
    """The status group filter's name (``all``, ``running``...)."""


def _frozen(mapping: Mapping[str, ViewState]) -> Mapping[str, ViewState]:
    return MappingProxyType(dict(mapping))


@attrs.frozen
class UiState:
    """The whole state file: the theme, and the view of each workspace."""

    theme: str | None = None
    """The theme last chosen in the app (the config and flags win over it)."""
    workspaces: Mapping[str, ViewState] = attrs.field(factory=dict, converter=_frozen)
    """Workspace key -> its view, least recently saved first."""

    def view(self, key: str) -> ViewState:
        """The view remembered for a workspace (an empty one when none is)."""
        return self.workspaces.get(key, ViewState())

    def with_theme(self, theme: str | None) -> UiState:
        return attrs.evolve(self, theme=theme)

    def with_view(self, key: str, view: ViewState) -> UiState:
        """This state with ``key``'s view replaced, made the most recent, within the bound."""
        views = {k: v for k, v in self.workspaces.items() if k != key}
        views[key] = attrs.evolve(view, filter=view.filter[:MAX_FILTER_CHARS])
        while len(views) > MAX_WORKSPACES:
            del views[next(iter(views))]
        return attrs.evolve(self, workspaces=views)


def workspace_key(server_url: str, workspace: str, *, demo: bool) -> str:
    """The key of one server and workspace in the state file: the server without credentials,
    then the workspace label (``demo`` for the simulator)."""
    if demo:
        return DEMO_KEY
    return f"{canonical_server_url(server_url)} {workspace}"


def _name(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_NAME_CHARS:
        raise _Damaged(f"{where}: expected a short string")
    return value


def _view(data: object, where: str) -> ViewState:
    if not isinstance(data, dict):
        raise _Damaged(f"{where}: expected an object")
    descending = data.get("descending")
    if descending is not None and not isinstance(descending, bool):
        raise _Damaged(f"{where}.descending: expected true or false")
    text = data.get("filter", "")
    if not isinstance(text, str):
        raise _Damaged(f"{where}.filter: expected a string")
    return ViewState(
        sort=_name(data.get("sort"), f"{where}.sort"),
        descending=descending,
        filter=text[:MAX_FILTER_CHARS],
        group=_name(data.get("group"), f"{where}.group"),
    )


def decode_state(data: Any) -> UiState:
    """A decoded JSON document as a ``UiState``; raises ``_Damaged`` when it is not one."""
    if not isinstance(data, dict):
        raise _Damaged("expected a JSON object")
    if data.get("version") != STATE_VERSION:
        raise _Damaged(f"unknown version {data.get('version')!r} (this finetop reads 1)")
    workspaces = data.get("workspaces", {})
    if not isinstance(workspaces, dict):
        raise _Damaged("workspaces: expected an object")
    views = {
        str(key): _view(value, f"workspaces[{json.dumps(key)}]")
        for key, value in list(workspaces.items())[-MAX_WORKSPACES:]
    }
    return UiState(theme=_name(data.get("theme"), "theme"), workspaces=views)


def encode_state(state: UiState) -> bytes:
    """The state as the file holds it (UTF-8 JSON, one workspace per line)."""
    document = {
        "version": STATE_VERSION,
        "theme": state.theme,
        "workspaces": {
            key: {
                "sort": view.sort,
                "descending": view.descending,
                "filter": view.filter,
                "group": view.group,
            }
            for key, view in state.workspaces.items()
        },
    }
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def read_state(path: Path) -> tuple[UiState, str | None]:
    """The state in ``path`` and, when it cannot be used, an empty state and one warning line.

    A missing file is not a problem (nothing remembered yet).
    """
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return UiState(), None
    except OSError as error:
        return UiState(), f"{path}: cannot read the UI state ({error.strerror or error}); ignored"
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise _Damaged(f"larger than {MAX_FILE_BYTES // 1024} KiB")
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise _Damaged(f"not JSON ({error})") from None
        return decode_state(data), None
    except _Damaged as problem:
        return UiState(), f"{path}: damaged UI state ignored: {problem}"


def save_state(path: Path, change: Callable[[UiState], UiState]) -> UiState:
    """Apply ``change`` to the state on disk now and write the result; returns it.

    The file is re-read first, so what another finetop saved since is kept; a damaged file is
    replaced. Raises ``OSError`` when the file cannot be written.
    """
    current, _ = read_state(path)
    updated = change(current)
    replace_private_file(path, encode_state(updated))
    return updated
