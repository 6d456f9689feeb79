"""Every key finetop answers to, in one table: binding ids, default keys, actions, descriptions.

The bindings of the app, the main screen and the job table are all generated from
:data:`ACTIONS`, so the help screen, the command palette and the user's ``[keymap]`` table
(``binding_id = "key1,key2"``) always agree. Mutating actions are marked, so read-only mode can
leave them out everywhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

import attrs
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.keys import (
    KEY_NAME_REPLACEMENTS,
    KEY_TO_UNICODE_NAME,
    REPLACED_KEYS,
    Keys,
    format_key,
    key_to_character,
)

from tui.settings.keymap import BindingInfo, KeymapCheck, KeyRules, check_keymap
from tui.settings.schema import suggest

if TYPE_CHECKING:
    from textual.app import App

__all__ = [
    "ACTIONS",
    "MUTATING_ACTIONS",
    "ActionSpec",
    "FinetopCommands",
    "Scope",
    "bindings_for",
    "browser_available",
    "check_user_keymap",
    "effective_keys",
    "first_key",
    "help_rows",
    "key_display",
    "key_problem",
    "keymap_bindings",
]


class Scope(StrEnum):
    """Where a binding lives: the app (always active), the main screen, the job table, the
    detail (while it has the focus), the full-screen metrics view, or a metrics chart."""

    APP = "app"
    SCREEN = "screen"
    TABLE = "table"
    DETAIL = "detail"
    METRICS = "metrics"
    CHART = "chart"


@attrs.frozen
class ActionSpec:
    """One user action: its binding id (what the keymap names), keys and where it runs."""

    id: str
    """The binding id; the key of the ``[keymap]`` table."""
    keys: str
    """Default keys, comma separated, Textual key names."""
    action: str
    """The Textual action string run in the binding's namespace."""
    description: str
    """What the help screen, footer and palette call it."""
    scope: Scope = Scope.SCREEN
    show: bool = False
    """Whether the footer shows it."""
    mutating: bool = False
    """Changes a job on the server: absent in read-only mode."""
    palette: bool = True
    """Whether the command palette offers it (navigation keys are pointless there)."""
    priority: bool = False
    footer: str = ""
    """A shorter label for the footer (the description when empty)."""


ACTIONS: tuple[ActionSpec, ...] = (
    # Navigation in the job table.
    ActionSpec("cursor_down", "down,j", "cursor_down", "Next job", Scope.TABLE, palette=False),
    ActionSpec("cursor_up", "up,k", "cursor_up", "Previous job", Scope.TABLE, palette=False),
    ActionSpec("top", "g,home", "scroll_top", "First job", Scope.TABLE, palette=False),
    ActionSpec("bottom", "G,end", "scroll_bottom", "Last job", Scope.TABLE, palette=False),
    ActionSpec("page_down", "pagedown", "page_down", "A page down", Scope.TABLE, palette=False),
    ActionSpec("page_up", "pageup", "page_up", "A page up", Scope.TABLE, palette=False),
    ActionSpec("mark_job", "space", "toggle_mark", "Mark the job (to compare runs)", Scope.TABLE),
    # The main screen.
    ActionSpec(
        "open_detail", "enter", "open_detail", "Open the job's detail", show=True, footer="Detail"
    ),
    ActionSpec("switch_pane", "tab", "switch_pane", "Switch between list and detail"),
    # In the detail (beside or below the list, or full screen): j/k scroll it as the arrows do.
    ActionSpec(
        "detail_down", "j", "scroll_down", "In the detail: scroll down", Scope.DETAIL, palette=False
    ),
    ActionSpec(
        "detail_up", "k", "scroll_up", "In the detail: scroll up", Scope.DETAIL, palette=False
    ),
    ActionSpec(
        "metrics",
        "m",
        "open_metrics",
        "Metrics full screen (marked jobs compared)",
        show=True,
        footer="Metrics",
    ),
    ActionSpec(
        "close_detail",
        "escape",
        "close_detail",
        "Back to the list",
        show=True,
        palette=False,
        footer="Back",
    ),
    # Priority: handled as it arrives, so keys typed in the same burst already reach the input.
    ActionSpec(
        "filter",
        "slash",
        "filter",
        "Filter jobs (! inverts)",
        show=True,
        footer="Filter",
        priority=True,
    ),
    ActionSpec("group_all", "1", "group('all')", "Show all jobs"),
    ActionSpec("group_running", "2", "group('running')", "Show running jobs"),
    ActionSpec("group_pending", "3", "group('pending')", "Show pending jobs"),
    ActionSpec("group_failed", "4", "group('failed')", "Show failed jobs"),
    ActionSpec("group_succeeded", "5", "group('succeeded')", "Show succeeded jobs"),
    ActionSpec("group_cancelled", "6", "group('cancelled')", "Show cancelled jobs"),
    ActionSpec("cycle_group", "f", "cycle_group", "Cycle the status filter"),
    ActionSpec(
        "sort_column", "s", "sort_column", "Sort by the next column", show=True, footer="Sort"
    ),
    ActionSpec("sort_direction", "S", "sort_direction", "Reverse the sort order"),
    # Polling.
    ActionSpec("refresh", "r", "app.refresh_now", "Refresh now", show=True, footer="Refresh"),
    ActionSpec(
        "pause", "p", "app.toggle_pause", "Pause or resume updates", show=True, footer="Pause"
    ),
    ActionSpec("slower", "plus", "app.scale_interval(2.0)", "Poll interval ×2"),
    ActionSpec("faster", "minus", "app.scale_interval(0.5)", "Poll interval ÷2"),
    # The highlighted job.
    ActionSpec(
        "cancel_job",
        "c",
        "app.cancel_job",
        "Cancel the job",
        show=True,
        mutating=True,
        footer="Cancel",
    ),
    ActionSpec("start_job", "a", "app.start_job", "Start the validated job", mutating=True),
    ActionSpec("copy_id", "y", "app.copy_job_id", "Copy the job id"),
    ActionSpec("copy_model", "Y", "app.copy_model", "Copy the fine-tuned model name"),
    ActionSpec("open_wandb", "o", "app.open_wandb", "Open the W&B run"),
    # The app.
    ActionSpec(
        "help", "question_mark,f1", "help", "Show every key", Scope.APP, show=True, footer="Keys"
    ),
    ActionSpec(
        "command_palette",
        "ctrl+p",
        "command_palette",
        "Command palette",
        Scope.APP,
        palette=False,
        priority=True,
    ),
    ActionSpec("screenshot", "f8", "screenshot", "Save a screenshot (SVG)", Scope.APP),
    ActionSpec("quit", "q", "quit", "Quit", Scope.APP, show=True),
    ActionSpec("quit_ctrl_c", "ctrl+c", "quit", "Quit", Scope.APP, palette=False, priority=True),
    # The full-screen metrics view (m) and its chart.
    ActionSpec(
        "metrics.close",
        "escape,m,q",
        "close",
        "Metrics view: back to the list",
        Scope.METRICS,
        show=True,
        palette=False,
        footer="Back",
    ),
    ActionSpec(
        "chart.cursor_right",
        "right",
        "move_cursor(1)",
        "Chart: step cursor on (reads every metric)",
        Scope.CHART,
        show=True,
        palette=False,
        footer="Cursor",
    ),
    ActionSpec(
        "chart.cursor_left",
        "left",
        "move_cursor(-1)",
        "Chart: step cursor back",
        Scope.CHART,
        palette=False,
    ),
    ActionSpec(
        "chart.cursor_right_far",
        "shift+right",
        "move_cursor(10)",
        "Chart: cursor 10 steps on",
        Scope.CHART,
        palette=False,
    ),
    ActionSpec(
        "chart.cursor_left_far",
        "shift+left",
        "move_cursor(-10)",
        "Chart: cursor 10 steps back",
        Scope.CHART,
        palette=False,
    ),
    ActionSpec(
        "chart.cursor_first",
        "home",
        "cursor_to_end(False)",
        "Chart: cursor to the first step",
        Scope.CHART,
        palette=False,
    ),
    ActionSpec(
        "chart.cursor_last",
        "end",
        "cursor_to_end(True)",
        "Chart: cursor to the last step",
        Scope.CHART,
        palette=False,
    ),
    ActionSpec(
        "chart.cursor_hide",
        "escape",
        "hide_cursor",
        "Chart: hide the cursor",
        Scope.CHART,
        palette=False,
    ),
    ActionSpec(
        "chart.zoom",
        "z",
        "toggle_zoom",
        "Chart: zoom to the last steps / all steps",
        Scope.CHART,
        show=True,
        palette=False,
        footer="Zoom",
    ),
    ActionSpec(
        "chart.smoothing",
        "e",
        "cycle_smoothing",
        "Chart: EMA smoothing (raw stays faint)",
        Scope.CHART,
        show=True,
        palette=False,
        footer="Smooth",
    ),
    ActionSpec(
        "chart.log_scale",
        "l",
        "toggle_log",
        "Chart: log scale",
        Scope.CHART,
        show=True,
        palette=False,
        footer="Log",
    ),
)
"""Every action, in the order the help screen lists them."""

MUTATING_ACTIONS: frozenset[str] = frozenset(
    spec.action.removeprefix("app.") for spec in ACTIONS if spec.mutating
)
"""Action names (without namespace) that change a job on the server."""


def key_display(keys: str) -> str:
    """``"up,k"`` -> ``"↑ k"``, ``"ctrl+p"`` -> ``"^p"``: how a binding's keys read on screen."""
    shown: list[str] = []
    for key in keys.split(","):
        key = key.strip()
        if not key:
            continue
        *modifiers, base = key.split("+")
        text = format_key(base)
        if "ctrl" in modifiers:
            modifiers.remove("ctrl")
            text = f"^{text}"
        shown.append("+".join([*modifiers, text]))
    return " ".join(shown)


def _visible(spec: ActionSpec, read_only: bool) -> bool:
    return not (read_only and spec.mutating)


def bindings_for(
    scope: Scope, *, read_only: bool, mutating_only: bool = False
) -> list[BindingType]:
    """The Textual bindings of one scope (mutating ones dropped when ``read_only``; only the
    mutating ones when ``mutating_only``)."""
    return [
        Binding(
            spec.keys,
            spec.action,
            spec.footer or spec.description,
            show=spec.show,
            priority=spec.priority,
            id=spec.id,
        )
        for spec in ACTIONS
        if spec.scope == scope
        and _visible(spec, read_only)
        and (spec.mutating or not mutating_only)
    ]


def effective_keys(spec: ActionSpec, keymap: Mapping[str, str]) -> str:
    """The keys an action answers to once the user's keymap is applied."""
    return keymap.get(spec.id, spec.keys)


def first_key(action_id: str, keymap: Mapping[str, str]) -> str:
    """The first key an action answers to after the keymap, for hints such as "g: top"."""
    spec = next(spec for spec in ACTIONS if spec.id == action_id)
    return effective_keys(spec, keymap).split(",")[0].strip()


def help_rows(*, read_only: bool, keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(keys, description, id)`` for the help screen, after the keymap."""
    return [
        (effective_keys(spec, keymap), spec.description, spec.id)
        for spec in ACTIONS
        if _visible(spec, read_only)
    ]


def palette_specs(*, read_only: bool) -> Iterable[ActionSpec]:
    """The actions the command palette offers."""
    return (spec for spec in ACTIONS if spec.palette and _visible(spec, read_only))


_SCOPES: tuple[Scope, ...] = tuple(Scope)
_FOCUS_CONTEXTS: tuple[tuple[str, tuple[Scope, ...]], ...] = (
    ("in the job list", (Scope.TABLE, Scope.SCREEN, Scope.APP)),
    ("in the detail", (Scope.DETAIL, Scope.SCREEN, Scope.APP)),
    ("elsewhere on the main screen", (Scope.SCREEN, Scope.APP)),
    ("in the metrics view", (Scope.CHART, Scope.METRICS, Scope.APP)),
    ("on other screens", (Scope.APP,)),
)
"""Where the focus can be, and the scopes whose keys answer there, innermost first."""

_MODIFIERS = frozenset({"ctrl", "alt", "shift", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(
    key.value for key in Keys if "+" not in key.value and not key.value.startswith("<")
)
_KEY_NAMES = sorted(_NAMED_KEYS | set(KEY_TO_UNICODE_NAME) | set(KEY_NAME_REPLACEMENTS.values()))
"""Every key name a suggestion may offer."""


def key_problem(key: str) -> str | None:
    """Why ``key`` is not a key Textual can bind (``None`` when it is): ``ctrl+r``, ``f5``,
    ``question_mark`` and ``?`` are keys; ``ctrl+shft+r``, ``pgdn`` and ``f99`` are not."""
    if len(key) == 1:
        return None if key.isprintable() and not key.isspace() else "not a printable character"
    *modifiers, base = key.split("+")
    unknown = [modifier for modifier in modifiers if modifier not in _MODIFIERS]
    if unknown:
        return f"unknown modifier {unknown[0]!r}; modifiers are {', '.join(sorted(_MODIFIERS))}"
    if len(base) == 1 or base in _NAMED_KEYS:
        return None
    character = key_to_character(REPLACED_KEYS.get(base, base))
    if character is not None and not character.isalnum():
        return None  # a character's name: slash, question_mark, plus...
    return f"unknown key name{suggest(base, _KEY_NAMES)}"


def _canonical_key(key: str) -> str:
    """Keys compared as the character they type when they type one (``?`` = ``question_mark``)."""
    return key_to_character(REPLACED_KEYS.get(key, key)) or key


KEY_RULES = KeyRules(
    scopes=tuple(scope.value for scope in _SCOPES),
    contexts=tuple(name for name, _ in _FOCUS_CONTEXTS),
    chains=tuple(tuple(_SCOPES.index(s) for s in chain) for _, chain in _FOCUS_CONTEXTS),
    key_problem=key_problem,
    canonical=_canonical_key,
)
"""What the keymap check needs to know about Textual's keys and finetop's scopes."""


def keymap_bindings(*, read_only: bool) -> list[BindingInfo]:
    """The bindings a keymap can remap, as the keymap check sees them."""
    return [
        BindingInfo(
            id=spec.id,
            keys=tuple(key.strip() for key in spec.keys.split(",")),
            action=spec.action.removeprefix("app."),
            scope=_SCOPES.index(spec.scope),
            priority=spec.priority,
        )
        for spec in ACTIONS
        if _visible(spec, read_only)
    ]


def check_user_keymap(
    keymap: Mapping[str, str], *, read_only: bool, origins: Mapping[str, str] | None = None
) -> KeymapCheck:
    """The user's ``[keymap]`` checked: unknown ids, bad key names and conflicts, one warning
    each, and the keymap to apply (see :mod:`tui.settings.keymap` for what wins)."""
    return check_keymap(
        keymap,
        keymap_bindings(read_only=read_only),
        KEY_RULES,
        known_ids=[spec.id for spec in ACTIONS],
        origins=origins,
    )


def browser_available(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> bool:
    """Whether ``webbrowser.open`` would reach the person at the keyboard.

    Over SSH a browser would open on the remote host (or not at all); on Linux without a display
    there is no graphical browser to open.
    """
    env = os.environ if environ is None else environ
    plat = sys.platform if platform is None else platform
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    return not (plat.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")))


class FinetopCommands(Provider):
    """The command palette's list: every action with its key (mutating ones absent read-only)."""

    def commands(self) -> list[tuple[str, str, str]]:
        """``(title, help, action)`` for each action the palette offers over its screen: the
        app's actions everywhere, a screen's own only over that screen (``PALETTE_SCOPES``),
        so the metrics view offers no job-list command that would do nothing there."""
        app: App[object] = self.app
        read_only = bool(getattr(app, "read_only", False))
        keymap: Mapping[str, str] = getattr(app, "keymap", {})
        scopes: frozenset[Scope] = getattr(self.screen, "PALETTE_SCOPES", frozenset({Scope.APP}))
        rows = []
        for spec in palette_specs(read_only=read_only):
            if spec.scope not in scopes and not spec.action.startswith("app."):
                continue  # bound on another screen, and run by it
            keys = key_display(effective_keys(spec, keymap))
            action = spec.action
            if spec.scope != Scope.APP and not action.startswith("app."):
                action = f"screen.{action}"
            rows.append((spec.description, f"key: {keys}", action))
        return rows

    async def discover(self) -> Hits:
        for title, help_text, action in self.commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    text=title,
                    help=help_text,
                )
