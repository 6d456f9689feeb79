"""Read-only mode says no out loud: one line when a mutating action is asked for.

In read-only mode cancel and start have no binding, no footer key, no help row and no palette
entry (see :mod:`tui.app.actions`). A user who presses ``c`` anyway, or whose script or palette
or keymap asks for the action some other way, gets one notice saying why nothing happens
("read-only: cancelling is disabled (--read-only)") instead of silence. Nothing here ever runs a
mutating action: it only explains the refusal.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.actions import parse

from tui.app.actions import ACTIONS, MUTATING_ACTIONS, effective_keys

if TYPE_CHECKING:
    from textual import events
    from textual.app import App

    from tui.settings.config import Settings

__all__ = ["ReadOnlyRefusals", "refused_when_read_only"]

_DISABLED: dict[str, str] = {"cancel_job": "cancelling", "start_job": "starting jobs"}
"""What each mutating action is called in the notice."""
assert set(_DISABLED) == MUTATING_ACTIONS

F = TypeVar("F", bound=Callable[..., Any])


def _switch(settings: Settings) -> str:
    """How read-only mode was asked for, as the user wrote it."""
    source = settings.source_of("read_only")
    if source.startswith("env:"):
        return source.removeprefix("env:")
    if source.startswith("file:"):
        return "read_only = true in the config"
    return "--read-only"


class ReadOnlyRefusals:
    """Explains refused mutating actions of one app (silent when not read-only)."""

    def __init__(self, app: App[Any], settings: Settings) -> None:
        self.app = app
        self.active = bool(settings.read_only)
        """Whether the app is read-only."""
        self.switch = _switch(settings)
        """The flag, variable or setting that made it so."""

    def notice(self, action: str) -> str:
        """``read-only: cancelling is disabled (--read-only)``."""
        return f"read-only: {_DISABLED.get(action, action)} is disabled ({self.switch})"

    def refuses(self, action: str | tuple[str, str, tuple[object, ...]]) -> bool:
        """Whether ``action`` (``cancel_job``, ``app.start_job(...)``...) is refused; says so."""
        name = parse(action)[1] if isinstance(action, str) else action[1]
        if not self.active or name not in MUTATING_ACTIONS:
            return False
        self.app.notify(self.notice(name), severity="warning", timeout=4)
        return True

    def key_pressed(self, event: events.Key, keymap: dict[str, str]) -> None:
        """A key no binding took: if it is a mutating action's key, say it is disabled.

        Read-only mode binds nothing to these keys, so only the refusal's notice answers them
        (not while another binding has the key, or the user types in the filter).
        """
        if not self.active or event.key in self.app.screen.active_bindings:
            return
        pressed = {event.key, *event.aliases}
        for spec in ACTIONS:
            name = spec.action.removeprefix("app.")
            keys = {key.strip() for key in effective_keys(spec, keymap).split(",")}
            if name in MUTATING_ACTIONS and pressed & keys:
                self.refuses(name)
                return


def refused_when_read_only(action: str) -> Callable[[F], F]:
    """Make an ``action_*`` method refuse (with the notice) when called in read-only mode,
    even directly: defence in depth under the missing bindings and ``check_action``."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        def guarded(self: Any, *args: Any, **kwargs: Any) -> Any:
            if self.refusals.refuses(action):
                return None
            return method(self, *args, **kwargs)

        # ``guarded`` takes and returns what ``method`` does (it wraps it), which a checker
        # cannot infer for a method decorated through a TypeVar of any callable.
        return guarded  # type: ignore[return-value]

    return decorate
