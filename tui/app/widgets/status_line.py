"""The header line: workspace, connection freshness, poll interval, pause marker, job counts.

The text is a pure function of a :class:`StatusSnapshot`, so tests pin every state ("updated
3 s ago", "stale", "offline — retrying in 40 s (rate limited)") without a running app. The
widget re-renders once a second from a snapshot the app builds, and repaints only when the text
it draws changed.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from tui.api.models import StatusGroup
from tui.display.formats import fmt_age, fmt_seconds
from tui.display.text import LONG_TEXT_LIMIT, safe_text
from tui.errors import FinetopError
from tui.monitor.status import PollerState, PollerStatus

__all__ = [
    "DEMO_HINT",
    "StatusLine",
    "StatusSnapshot",
    "demo_banner",
    "empty_list_text",
    "render_status",
]

DEMO_HINT = "To watch your workspace: export MISTRAL_API_KEY=… and run finetop."
"""How to leave demo mode, in the banner under the status line."""
SHORT_DEMO_HINT = "Real ones: MISTRAL_API_KEY=… finetop"
"""The same, for narrow terminals."""


def demo_banner(reason: str | None, width: int | None = None) -> str:
    """The demo banner: simulated jobs, why (``--demo``, no API key...), how to connect.

    Given a ``width``, the longest wording that fits: the way out is never the part cut off.
    """
    why = f" ({reason})" if reason else ""
    candidates = (
        f"DEMO{why}: simulated jobs, nothing here is real. {DEMO_HINT}",
        f"DEMO{why}: simulated jobs. {SHORT_DEMO_HINT}",
        f"DEMO: simulated jobs. {SHORT_DEMO_HINT}",
    )
    if width is None:
        return candidates[0]
    return next((text for text in candidates if cell_len(text) <= width), candidates[-1])


WORKSPACE_LIMIT = 60
"""The longest the workspace label reads (the connection state must stay in view)."""

_GROUP_WORDS: tuple[tuple[StatusGroup, str, str], ...] = (
    (StatusGroup.RUNNING, "▶", "running"),
    (StatusGroup.PENDING, "◌", "pending"),
    (StatusGroup.FAILED, "✘", "failed"),
    (StatusGroup.SUCCEEDED, "✔", "done"),
    (StatusGroup.CANCELLED, "⊘", "cancelled"),
    (StatusGroup.UNKNOWN, "?", "unknown"),
)


@attrs.frozen
class StatusSnapshot:
    """Everything the status line shows, at one moment."""

    workspace: str
    """The workspace label ("DEMO", or the server's host / profile)."""
    demo: bool
    now: float
    """Monotonic now, on the poller's clock."""
    interval: float
    """The job list's poll interval in seconds, until the poller reports its own."""
    paused: bool
    counts: Mapping[StatusGroup, int]
    read_only: bool = False
    demo_reason: str | None = None
    """Why demo mode is on (shown in the banner)."""
    shown: int | None = None
    """How many jobs the table shows (when a filter hides some)."""
    filter_label: str = ""
    """The filter in force, in words (empty when none)."""
    poller: PollerStatus | None = None
    """The poller's account of the connection: the one source of its state (``None`` before
    the poller starts)."""
    connect_error: FinetopError | None = None
    """Why the connection could not even start (a key command that failed, a bad URL)."""
    cached_since: float | None = None
    """While the rows come from the local history, unconfirmed by a listing yet: the wall time
    the history last saw them."""
    now_wall: float = 0.0
    """Wall-clock now (for ``cached 3h ago``)."""

    @property
    def poll_interval(self) -> float:
        """The interval in force: the poller's (scaled, slowed while unfocused) once it runs."""
        return self.poller.interval if self.poller is not None else self.interval


def _retry_text(status: PollerStatus, now: float) -> str:
    retry_in = status.retry_in(now)
    if retry_in is None:
        return "retrying"
    return f"retrying in {fmt_seconds(retry_in)}" if retry_in > 0 else "retrying now"


def connection_text(snapshot: StatusSnapshot) -> tuple[str, str]:
    """``(text, style class)`` for the connection part, as the poller's status says it."""
    if snapshot.connect_error is not None:
        return f"✖ not connected ({snapshot.connect_error.kind.value})", "offline"
    status = snapshot.poller
    cached = snapshot.cached_since
    if status is None or status.state is PollerState.CONNECTING:
        if cached is not None:
            return f"◌ cached {fmt_age(cached, snapshot.now_wall)}, refreshing…", "connecting"
        return "… connecting", "connecting"
    now = snapshot.now
    cause = status.last_error_kind.value if status.last_error_kind else "error"
    age = status.age(now)
    updated = f"updated {fmt_seconds(age)} ago" if age is not None else "never updated"
    match status.state:
        case PollerState.HALTED:
            return f"✖ {cause} — r to retry", "offline"
        case PollerState.OFFLINE:
            return f"✖ offline — {_retry_text(status, now)} ({cause})", "offline"
        case PollerState.STALE if status.failures:
            return f"◐ stale — {_retry_text(status, now)} ({cause})", "stale"
        case PollerState.STALE:
            return f"◐ stale — {updated}", "stale"
    return f"● {updated}", "ok"


def empty_list_text(snapshot: StatusSnapshot, *, jobs: int) -> str:
    """What the job list says while it shows no row: why (no match, connecting, a refused key,
    a failing server) and what to do, in one plain line made safe (errors quote servers)."""
    if jobs:
        return "No job matches the filter (escape clears it)"
    if snapshot.connect_error is not None:
        return safe_text(f"Cannot connect: {snapshot.connect_error}", limit=LONG_TEXT_LIMIT)
    status = snapshot.poller
    if status is None or status.state is PollerState.CONNECTING:
        return f"Connecting to {safe_text(snapshot.workspace)}…"
    message = safe_text(status.last_error_message or "", limit=LONG_TEXT_LIMIT)
    if status.state is PollerState.HALTED:
        return f"{message} — then press r to try again"
    if status.failures:
        return f"{message} — {_retry_text(status, snapshot.now)}"
    return "No fine-tuning jobs in this workspace yet"


CONNECTION_STYLES: Mapping[str, str] = {
    "ok": "green",
    "offline": "bold red",
    "stale": "yellow",
    "connecting": "dim",
}
"""Styles of the connection states in named ANSI colours (the widget uses the theme's)."""


def connection_styles_from_theme(variables: Mapping[str, str]) -> dict[str, str]:
    """:data:`CONNECTION_STYLES` from a theme's success / error / warning colours."""
    styles = dict(CONNECTION_STYLES)
    for state, name, extra in (
        ("ok", "success", ""),
        ("offline", "error", "bold "),
        ("stale", "warning", ""),
    ):
        value = variables.get(name, "")
        if value.startswith("#") and len(value) in (7, 9):
            styles[state] = extra + value[:7]
    return styles


def render_status(
    snapshot: StatusSnapshot,
    width: int | None = None,
    styles: Mapping[str, str] | None = None,
) -> Text:
    """The status line as styled text (glyphs and words, never colour alone).

    Given a ``width`` it must fit, a compact form is used when the full one does not: tighter
    separators and counts as glyph and number only (``▶2 ◌2 ✘3``), so none is cut off.
    """
    styles = styles or CONNECTION_STYLES
    full = _render_status(snapshot, styles, compact=False)
    if width is None or full.cell_len <= width:
        return full
    return _render_status(snapshot, styles, compact=True)


def _render_status(snapshot: StatusSnapshot, styles: Mapping[str, str], *, compact: bool) -> Text:
    bar = " │ " if compact else "  │  "
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(" finetop ", style="bold reverse")
    text.append(" ")
    if snapshot.demo:
        text.append(" DEMO ", style="bold black on yellow")
    else:
        # The workspace label may be the server's host: text from outside, shown plain.
        text.append(safe_text(snapshot.workspace, limit=WORKSPACE_LIMIT), style="bold")
    if snapshot.read_only:
        text.append("  read-only", style="italic")
    text.append(bar)
    conn, state = connection_text(snapshot)
    text.append(conn, style=styles.get(state, ""))
    text.append(f"{bar}every {fmt_seconds(snapshot.poll_interval)}")
    if snapshot.paused:
        text.append("  ⏸ PAUSED", style="bold reverse")
    truncated = snapshot.poller.listing_truncated if snapshot.poller is not None else None
    if truncated is not None:
        # The page budget (max_list_pages) ran out: say the list is not the whole workspace.
        text.append(f"{bar}first pages only: {truncated:,} claimed", style=styles.get("stale", ""))
    # The filter in force comes before the counts: on a narrow terminal it must not be cut off.
    if snapshot.shown is not None or snapshot.filter_label:
        shown = f"showing {snapshot.shown}" if snapshot.shown is not None else "showing all"
        # What the user typed (or pasted): plain text, controls made visible.
        label = f" ({safe_text(snapshot.filter_label)})" if snapshot.filter_label else ""
        text.append(f"{bar}{shown}{label}", style="italic")
    text.append(bar.rstrip(" "))
    for group, glyph, word in _GROUP_WORDS:
        count = snapshot.counts.get(group, 0)
        if count or group in (StatusGroup.RUNNING, StatusGroup.PENDING):
            text.append(f" {glyph}{count}" if compact else f" {glyph}{count} {word}")
    return text


class StatusLine(Static):
    """The top line (and, in demo mode, the banner under it)."""

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        dock: top;
        background: $panel;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.snapshot: StatusSnapshot | None = None
        """The last snapshot shown (tests read it)."""
        self._width: int | None = None
        """The width the text was fitted to."""
        self._shown_styles: Mapping[str, str] = CONNECTION_STYLES
        self._line: Text | None = None
        """The text last drawn."""

    def show(self, snapshot: StatusSnapshot) -> None:
        """Re-render from ``snapshot``; skipped when nothing visible changed."""
        width = self._fit_width()
        styles = self._styles() if self.is_mounted else CONNECTION_STYLES
        if snapshot == self.snapshot and width == self._width and styles == self._shown_styles:
            return
        self.snapshot = snapshot
        self._width = width
        self._shown_styles = styles
        line = render_status(snapshot, width, styles)
        if snapshot.demo:
            line.append("\n")
            line.append(demo_banner(snapshot.demo_reason, width), style="black on yellow")
        # The snapshot holds ``now``, so it differs every second while the text mostly does
        # not ("updated 3 s ago" for seconds on end): compare what would be drawn.
        if line == self._line:
            return
        # A relayout only when the height changes (the demo banner comes or goes): the line
        # is docked full width, and a layout would repaint the table's scrollbar each second.
        layout = self._line is None or line.plain.count("\n") != self._line.plain.count("\n")
        self._line = line
        self.update(line, layout=layout)

    def _styles(self) -> Mapping[str, str]:
        app = self.app
        if app.current_theme.name.startswith("textual-ansi") or app.ansi_color:
            return CONNECTION_STYLES  # the terminal's own palette
        return connection_styles_from_theme(app.theme_variables)

    def _fit_width(self) -> int | None:
        return (self.size.width or self.app.size.width) if self.is_mounted else None

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        if self.snapshot is not None:
            self.show(self.snapshot)

    def on_resize(self) -> None:
        if self.snapshot is not None and self._fit_width() != self._width:
            self.show(self.snapshot)

    @property
    def plain(self) -> str:
        """The current text without styles (the banner included in demo mode)."""
        if self.snapshot is None:
            return ""
        text = render_status(self.snapshot, self._width).plain
        if self.snapshot.demo:
            text += "\n" + demo_banner(self.snapshot.demo_reason, self._width)
        return text
