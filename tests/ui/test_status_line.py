"""The status line's text in every connection state (a pure function of a snapshot)."""

from __future__ import annotations

from typing import Any

import attrs
from textual.app import App, ComposeResult

from tui.api.models import StatusGroup
from tui.app.widgets.status_line import (
    WORKSPACE_LIMIT,
    StatusLine,
    StatusSnapshot,
    demo_banner,
    empty_list_text,
    render_status,
)
from tui.display.text import is_clean
from tui.errors import ErrorKind, FinetopError
from tui.monitor.status import PollerState, PollerStatus

COUNTS = {StatusGroup.RUNNING: 2, StatusGroup.PENDING: 1, StatusGroup.SUCCEEDED: 30}


def polled(
    state: PollerState,
    *,
    last_success_at: float | None = None,
    failures: int = 0,
    next_poll_at: float | None = None,
    kind: ErrorKind | None = None,
    message: str | None = None,
    interval: float = 30.0,
) -> PollerStatus:
    """The poller's status as its health would report it."""
    return PollerStatus(
        state=state,
        last_success_at=last_success_at,
        last_success_wall=None,
        failing_since=None,
        failures=failures,
        next_poll_at=next_poll_at,
        last_error_kind=kind,
        last_error_message=message,
        interval=interval,
        detail_interval=10.0,
        scale=1.0,
        focused=True,
        paused=False,
        requests=0,
    )


def snapshot(poller: PollerStatus | None, *, now: float = 1000.0, **kw: Any) -> StatusSnapshot:
    args: dict[str, Any] = {
        "workspace": "acme",
        "demo": False,
        "poller": poller,
        "now": now,
        "interval": 30.0,
        "paused": False,
        "counts": COUNTS,
    }
    args.update(kw)
    return StatusSnapshot(**args)


def snap(poller: PollerStatus | None, *, now: float = 1000.0, **kw: Any) -> str:
    return render_status(snapshot(poller, now=now, **kw)).plain


OK = polled(PollerState.OK, last_success_at=999.0)


def test_connecting_then_updated_then_stale() -> None:
    assert "connecting" in snap(None)
    assert "connecting" in snap(polled(PollerState.CONNECTING))
    assert "● updated 12 s ago" in snap(polled(PollerState.OK, last_success_at=988.0))
    # Stale is the poller's verdict (its health's rule), rendered as it says.
    text = snap(polled(PollerState.STALE, last_success_at=900.0))
    assert "◐ stale — updated 100 s ago" in text


def test_offline_says_why_and_when() -> None:
    offline = polled(
        PollerState.OFFLINE,
        last_success_at=900.0,
        failures=2,
        next_poll_at=1040.0,
        kind=ErrorKind.RATE_LIMITED,
    )
    assert "✖ offline — retrying in 40 s (rate limited)" in snap(offline)
    for kind in (ErrorKind.AUTH, ErrorKind.SERVER, ErrorKind.TRANSPORT):
        failing = polled(PollerState.OFFLINE, failures=3, next_poll_at=1010.0, kind=kind)
        assert f"({kind.value})" in snap(failing)
    first = polled(PollerState.STALE, failures=1, next_poll_at=999.0, kind=ErrorKind.SERVER)
    assert "◐ stale — retrying now (server error)" in snap(first)
    assert "not connected (configuration)" in snap(None, connect_error=FinetopError("bad"))


def test_a_refused_key_waits_for_the_user() -> None:
    halted = polled(PollerState.HALTED, failures=1, kind=ErrorKind.AUTH, message="no API key set")
    assert "✖ auth failed — r to retry" in snap(halted)
    assert empty_list_text(snapshot(halted), jobs=0) == (
        "no API key set — then press r to try again"
    )


def test_the_empty_list_says_why() -> None:
    assert empty_list_text(snapshot(None), jobs=0) == "Connecting to acme…"
    assert empty_list_text(snapshot(OK), jobs=0) == "No fine-tuning jobs in this workspace yet"
    assert "matches the filter" in empty_list_text(snapshot(OK), jobs=5)
    failing = polled(
        PollerState.OFFLINE,
        failures=2,
        next_poll_at=1030.0,
        kind=ErrorKind.SERVER,
        message="HTTP 500 from server: upstream [/] \x1b]0;t\x07",
    )
    text = empty_list_text(snapshot(failing), jobs=0)
    assert text.startswith("HTTP 500 from server: upstream [/] ␛]0;t␇")
    assert text.endswith("retrying in 30 s")
    broken = snapshot(None, connect_error=FinetopError("api_key_command failed (exit 1)"))
    assert empty_list_text(broken, jobs=0) == "Cannot connect: api_key_command failed (exit 1)"


def test_workspace_demo_interval_pause_counts() -> None:
    text = snap(polled(PollerState.OK, last_success_at=999.0), paused=True, interval=60.0)
    assert "acme" in text
    assert "every 30 s" in text  # the poller's own interval wins over the configured one
    assert "PAUSED" in text
    assert "every 60 s" in snap(None, interval=60.0)
    assert "▶2 running" in text
    assert "◌1 pending" in text
    assert "✔30 done" in text
    assert "failed" not in text  # zero counts of finished groups are left out
    assert "DEMO" in snap(None, demo=True)
    assert "read-only" in snap(None, read_only=True)
    assert "showing 3" in snap(None, shown=3)


def test_outside_text_in_the_status_line_is_made_safe() -> None:
    # The workspace label may be a server's host; the filter is whatever was typed or pasted.
    text = snap(
        OK,
        workspace="evil\x1b]0;title\x07" + "w" * 500,
        filter_label='"a\x9bb [/]"',
    )
    assert "evil␛]0;title␇" in text
    assert '"a<U+009B>b [/]"' in text
    assert is_clean(text)
    assert "w" * (WORKSPACE_LIMIT) not in text


def test_narrow_status_line_keeps_every_count() -> None:
    counts = {
        StatusGroup.RUNNING: 2,
        StatusGroup.PENDING: 2,
        StatusGroup.FAILED: 3,
        StatusGroup.SUCCEEDED: 23,
        StatusGroup.CANCELLED: 3,
    }
    state = snapshot(
        polled(PollerState.OK, last_success_at=1000.0), workspace="DEMO", demo=True, counts=counts
    )
    wide = render_status(state, 160).plain
    assert "▶2 running" in wide
    assert "⊘3 cancelled" in wide
    narrow = render_status(state, 80).plain
    assert len(narrow) <= 80
    assert narrow.endswith("▶2 ◌2 ✘3 ✔23 ⊘3")
    assert "updated 0 s ago" in narrow


def test_demo_banner_fits_and_keeps_the_way_out() -> None:
    assert "nothing here is real" in demo_banner("--demo")
    for reason in (None, "--demo", "no API key: MISTRAL_API_KEY is not set"):
        banner = demo_banner(reason, 80)
        assert len(banner) <= 80
        assert banner.endswith("MISTRAL_API_KEY=… finetop")
    assert demo_banner("--demo", 80).startswith("DEMO (--demo): ")
    assert "(--demo)" in demo_banner("--demo", 200)


class _LineApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")


async def test_the_widget_repaints_only_when_its_text_changes() -> None:
    app = _LineApp()
    async with app.run_test(size=(120, 10)) as pilot:
        line = app.query_one(StatusLine)
        updates: list[bool] = []
        original = line.update

        def spy(content: Any = "", *, layout: bool = True) -> None:
            updates.append(layout)
            original(content, layout=layout)

        line.update = spy  # type: ignore[method-assign]

        def show(now: float, **kw: object) -> None:
            args: dict[str, Any] = {
                "workspace": "acme",
                "demo": False,
                "poller": polled(PollerState.OK, last_success_at=995.0),
                "now": now,
                "interval": 30.0,
                "paused": False,
                "counts": COUNTS,
            }
            args.update(kw)
            line.show(StatusSnapshot(**args))

        show(1000.0)
        assert updates == [True]  # the first text sizes the widget
        show(1000.2)  # still "updated 5 s ago": nothing to draw
        assert updates == [True]
        assert line.snapshot is not None
        assert line.snapshot.now == 1000.2
        show(1001.0)  # "updated 6 s ago": same height, no relayout
        assert updates == [True, False]
        show(1001.0, demo=True)  # the banner adds a line: relayout
        assert updates == [True, False, True]
        await pilot.pause()
        assert "updated 6 s ago" in line.plain


def test_rows_from_the_history_say_how_old_they_are_until_confirmed() -> None:
    hours_ago = 1000.0 - 3 * 3600
    text = snap(None, cached_since=hours_ago, now_wall=1000.0)
    assert "◌ cached 3h ago, refreshing…" in text
    connecting = polled(PollerState.CONNECTING)
    assert "cached 3h ago" in snap(connecting, cached_since=hours_ago, now_wall=1000.0)
    # Confirmed by a listing (the store forgets cached_since): the usual "updated".
    assert "cached" not in snap(OK, now_wall=1000.0)


def test_a_truncated_listing_is_said() -> None:
    truncated = attrs.evolve(OK, listing_truncated=1_000_000_000_000)
    assert "first pages only: 1,000,000,000,000 claimed" in snap(truncated)
    assert "first pages only" not in snap(OK)
