"""The app's memory between runs: the theme, and this workspace's sort, filter and group.

:class:`RememberedUi` reads the state file (:mod:`tui.settings.ui_state`) when the app is
created, hands the main screen its last view before it mounts, picks the theme at start, and
saves what the user changes: a theme at once, a view a moment after the last change (typing a
filter saves once, not per key), and everything again when the app exits.

What wins for the theme: ``--theme``, ``FINETOP_THEME`` or ``theme =`` in the config, then the
theme last chosen in the app, then finetop's default. A state file that cannot be read or
written costs one warning, never the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.app.screens.list_choices import GROUP_FILTERS
from tui.app.themes import DEFAULT_THEME, load_themes, register_themes
from tui.monitor.query import JobFilter, SortColumn, SortSpec
from tui.settings.ui_state import UiState, ViewState, read_state, save_state, workspace_key

if TYPE_CHECKING:
    from textual.app import App

    from tui.app.screens.main import _MainScreenBase
    from tui.settings.config import Settings

__all__ = ["SAVE_DELAY", "RememberedUi", "choose_theme"]

SAVE_DELAY = 1.0
"""Seconds after the last change of the view before it is saved."""


def choose_theme(
    configured: str | None, saved: str | None, available: set[str] | frozenset[str]
) -> tuple[str | None, str | None]:
    """The theme to start with and, when a wanted one is missing, a warning.

    The configured theme (flag, variable or config file) wins over the saved one, which wins
    over the default.
    """
    if configured is not None:
        if configured in available:
            return configured, None
        return None, f"Unknown theme {configured!r}"
    if saved is not None:
        if saved in available:
            return saved, None
        fallback = DEFAULT_THEME if DEFAULT_THEME in available else None
        return fallback, f"The theme {saved!r} chosen last time is gone; using {fallback}"
    return (DEFAULT_THEME if DEFAULT_THEME in available else None), None


def _view_of(screen: _MainScreenBase) -> ViewState:
    return ViewState(
        sort=screen.sort_spec.column.value,
        descending=screen.sort_spec.descending,
        filter=screen.job_filter.text,
        group=screen.group_name,
    )


class RememberedUi:
    """Reads, applies and saves the UI state of one app (``path=None``: remembers nothing)."""

    def __init__(self, app: App[Any], settings: Settings, path: Path | None) -> None:
        self.app = app
        self.path = path
        """The state file, or ``None`` when nothing is remembered (tests)."""
        self.key = workspace_key(settings.server_url, settings.workspace_label, demo=settings.demo)
        """This workspace's key in the file."""
        self.state, self.warning = read_state(path) if path is not None else (UiState(), None)
        """The state as read at start (updated as it is saved), and why it was ignored."""
        # A path that could not even be read will not be written either: its one warning
        # was the reading's.
        self._save_failed = self.warning is not None and path is not None and not path.is_file()
        self._startup_theme: str | None = None
        """The theme set at start, until its change notice has been seen."""
        self._screen: _MainScreenBase | None = None
        self._view_timer: Any = None

    # ------------------------------------------------------------------ at start

    def start_theme(self, configured: str | None, theme_dirs: tuple[Path, ...]) -> None:
        """Load and register the themes, report broken files, apply the theme that wins, and
        from then on remember the theme the user picks."""
        app = self.app
        themes, problems = load_themes(theme_dirs)
        register_themes(app, themes)
        for problem in problems:
            self.app.notify(problem, title="Theme skipped", severity="warning", timeout=8)
        theme, warning = choose_theme(configured, self.state.theme, set(app.available_themes))
        if warning is not None:
            self.app.notify(warning, severity="warning", timeout=8)
        if theme is not None:
            app.theme = theme
            # Its own change notice arrives later: not a theme the user picked.
            self._startup_theme = theme
        if self.warning is not None:
            self.app.notify(self.warning, title="UI state", severity="warning", timeout=8)
        app.theme_changed_signal.subscribe(app, self._theme_changed)

    def restore(self, screen: _MainScreenBase) -> None:
        """Give the main screen (before it mounts) this workspace's last sort, filter and group;
        a value this finetop does not know is left at its default."""
        self._screen = screen
        view = self.state.view(self.key)
        columns = {column.value: column for column in SortColumn}
        sort = columns.get(view.sort or "", screen.sort_spec.column)
        descending = screen.sort_spec.descending if view.descending is None else view.descending
        screen.sort_spec = SortSpec(sort, descending)
        if view.group in GROUP_FILTERS:
            screen.group_name = view.group
        screen.job_filter = JobFilter(text=view.filter, groups=GROUP_FILTERS[screen.group_name])

    # ------------------------------------------------------------------ changes

    def _theme_changed(self, theme: Any) -> None:
        name = getattr(theme, "name", None)
        startup, self._startup_theme = self._startup_theme, None
        if name == startup:
            return
        if isinstance(name, str) and name != self.state.theme:
            self._save(lambda state: state.with_theme(name))

    def view_changed(self) -> None:
        """The sort, filter or group changed: save it once changes stop for a moment."""
        if self.path is None:
            return
        if self._view_timer is not None:
            self._view_timer.stop()
        self._view_timer = self.app.set_timer(SAVE_DELAY, self.save_view)

    def save_view(self) -> None:
        """Save the main screen's view now (at exit, and after changes)."""
        self._view_timer = None
        if self._screen is None:
            return
        view = _view_of(self._screen)
        if view != self.state.view(self.key):
            self._save(lambda state: state.with_view(self.key, view))

    def _save(self, change: Any) -> None:
        if self.path is None:
            return
        try:
            self.state = save_state(self.path, change)
        except OSError as error:
            if not self._save_failed:  # once: it would fail the same way on every change
                self._save_failed = True
                self.app.notify(
                    f"Cannot save the UI state to {self.path}: {error.strerror or error}",
                    title="UI state",
                    severity="warning",
                    timeout=8,
                )
