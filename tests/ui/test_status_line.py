"""The status line's text in every connection state (a pure function of a snapshot)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from tui.api.models import StatusGroup
from tui.app.widgets.status_line import (
    WORKSPACE_LIMIT,
    LinkState,
    StatusLine,
    StatusSnapshot,
    demo_banner,
    render_status,
)
from tui.display.text import is_clean
from tui.errors import ErrorKind

COUNTS = {StatusGroup.RUNNING: 2, StatusGroup.PENDING: 1, StatusGroup.SUCCEEDED: 30}


def snap(link: LinkState, *, now: float = 1000.0, **kw: object) -> str:
    args: dict[str, object] = {
        "workspace": "acme",
        "demo": False,
        "link": link,
        "now": now,
        "interval": 30.0,
        "paused": False,
        "counts": COUNTS,
    }
    args.update(kw)
    return render_status(StatusSnapshot(**args)).plain  # type: ignore[arg-type]


def test_connecting_then_updated_then_stale() -> None:
    assert "connecting" in snap(LinkState())
    assert "updated 12 s ago" in snap(LinkState(last_success_at=988.0))
    text = snap(LinkState(last_success_at=900.0))
    assert "stale" in text
    assert "updated 100 s ago" in text


def test_offline_says_why_and_when() -> None:
    link = LinkState(
        last_success_at=900.0, failing=True, kind=ErrorKind.RATE_LIMITED, retry_at=1040.0
    )
    assert "offline — retrying in 40 s (rate limited)" in snap(link)
    for kind in (ErrorKind.AUTH, ErrorKind.SERVER, ErrorKind.TRANSPORT):
        assert f"({kind.value})" in snap(LinkState(failing=True, kind=kind, retry_at=1010.0))
    assert "retrying now" in snap(LinkState(failing=True, kind=ErrorKind.SERVER, retry_at=999.0))
    assert "not connected (configuration)" in snap(LinkState(failing=True, kind=ErrorKind.CONFIG))


def test_workspace_demo_interval_pause_counts() -> None:
    text = snap(LinkState(last_success_at=999.0), paused=True, interval=60.0)
    assert "acme" in text
    assert "every 60 s" in text
    assert "PAUSED" in text
    assert "▶2 running" in text
    assert "◌1 pending" in text
    assert "✔30 done" in text
    assert "failed" not in text  # zero counts of finished groups are left out
    assert "DEMO" in snap(LinkState(), demo=True)
    assert "read-only" in snap(LinkState(), read_only=True)
    assert "showing 3" in snap(LinkState(), shown=3)


def test_outside_text_in_the_status_line_is_made_safe() -> None:
    # The workspace label may be a server's host; the filter is whatever was typed or pasted.
    text = snap(
        LinkState(last_success_at=999.0),
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
    snapshot = StatusSnapshot(
        workspace="DEMO",
        demo=True,
        link=LinkState(last_success_at=1000.0),
        now=1000.0,
        interval=30.0,
        paused=False,
        counts=counts,
    )
    wide = render_status(snapshot, 160).plain
    assert "▶2 running" in wide
    assert "⊘3 cancelled" in wide
    narrow = render_status(snapshot, 80).plain
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
                "link": LinkState(last_success_at=995.0),
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
