"""The main screen at every size: the list and the selected job's chart together, the focus on
something shown after a resize, j/k in the detail, and the cursor starting on the newest
running job."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widget import Widget

from tests.ui.helpers import make_job, wait_for
from tests.ui.test_app import launch, table_of
from tui.app.app import FinetopApp
from tui.app.screens.main_layout import Arrangement, MainLayout
from tui.app.widgets.chart_pane import ChartPane

T0 = 1_750_000_000


def _curve(steps: int, every: int = 10) -> list[tuple[int, float, float]]:
    """``(step, train, valid)`` of a decaying run, evaluated every 50 steps."""
    return [
        (step, 2.0 / (1 + step / 100), 2.1 / (1 + step / 120) if step % 50 == 0 else 0.0)
        for step in range(every, steps + 1, every)
    ]


def workspace() -> list[Any]:
    """The newest job is queued; three are training; the rest finished long ago."""
    jobs = [
        make_job("queued-new", status="QUEUED", created_at=T0 + 100, suffix="just-queued"),
        make_job("run-b", status="RUNNING", created_at=T0 + 90, suffix="beta", steps=400,
                 checkpoints=_curve(200)),
        make_job("run-c", status="RUNNING", created_at=T0 + 80, suffix="gamma", steps=300,
                 checkpoints=_curve(150)),
        make_job("run-a", status="RUNNING", created_at=T0 + 70, suffix="alpha", steps=500,
                 checkpoints=_curve(300)),
    ]  # fmt: skip
    jobs += [
        make_job(f"done-{n:02d}", status="SUCCESS", created_at=T0 - n, suffix=f"old-{n}")
        for n in range(20)
    ]
    return jobs


def shown(widget: Widget) -> bool:
    """On screen: displayed, with its ancestors, and given a size."""
    nodes = [node for node in widget.ancestors_with_self if isinstance(node, Widget)]
    return all(node.display for node in nodes) and widget.region.area > 0


async def chart_ready(app: FinetopApp, pilot: Any, job_id: str) -> ChartPane:
    pane = app.main_screen.query_one(ChartPane)
    await wait_for(lambda: pane.job_id == job_id and bool(pane.chart.runs[0].train), pilot)
    return pane


@pytest.mark.parametrize(
    ("size", "arrangement", "beside", "short"),
    [
        ((80, 24), Arrangement.COMPACT, False, False),
        ((80, 17), Arrangement.COMPACT, False, True),
        ((120, 35), Arrangement.COMPACT, False, False),
        ((140, 30), Arrangement.COMPACT, False, False),
        ((159, 45), Arrangement.COMPACT, False, False),
        ((119, 46), Arrangement.SPLIT, False, False),
        ((120, 46), Arrangement.SPLIT, True, False),
        ((160, 45), Arrangement.WIDE, False, False),
        ((200, 60), Arrangement.WIDE, False, False),
        ((160, 12), Arrangement.WIDE, False, False),
    ],
)
def test_the_arrangement_at_each_size(
    size: tuple[int, int], arrangement: Arrangement, beside: bool, short: bool
) -> None:
    layout = MainLayout.for_size(*size)
    assert (layout.arrangement, layout.beside, layout.short) == (arrangement, beside, short)
    assert layout.detail_shown is (arrangement is not Arrangement.COMPACT)
    classes = layout.classes()
    assert [
        name for name, on in classes.items() if on and name in ("-wide", "-split", "-compact")
    ] == [arrangement.value]
    assert (classes["-beside"], classes["-short"]) == (beside, short)


SIZES = [(80, 24), (120, 35), (140, 30), (160, 45), (200, 60), (120, 40), (120, 50), (80, 50)]


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
async def test_the_list_and_a_labelled_multi_row_chart_share_the_screen(
    size: tuple[int, int],
) -> None:
    width, height = size
    async with launch(workspace(), size=size) as (app, pilot, _, _):
        screen = app.main_screen
        layout = MainLayout.for_size(width, height)
        assert screen.has_class(layout.arrangement.value)
        pane = await chart_ready(app, pilot, "run-b")
        table, chart = table_of(app), pane.chart
        await wait_for(lambda: chart.frame is not None, pilot)
        assert table.page_height >= 8  # the list keeps about 8 rows
        assert chart.size.height >= 4
        assert shown(pane.readout)
        assert shown(chart)
        assert pane.readout.text.startswith("train 0.6667 · min 0.6667 @200 · first 1.818")
        assert "best valid 0.7875 @200" in pane.readout.text
        assert "ppl " in pane.readout.text
        frame = chart.frame
        assert frame is not None
        labels = [text.split("┤")[0].strip() for text in frame.text() if "┤" in text]
        assert len(labels) >= 2
        assert all(float(label) for label in labels)
        assert frame.text()[-1].split()[-1] == "400"  # the step axis runs to the planned steps
        # Nothing overlaps and everything is inside the terminal.
        regions = [table.region, pane.region]
        if layout.detail_shown:
            assert shown(screen.detail_scroll)
            regions.append(screen.detail_scroll.region)
        else:
            assert not shown(screen.detail_scroll)
        for index, region in enumerate(regions):
            assert region.right <= width
            assert region.bottom <= height
            assert all(not region.overlaps(other) for other in regions[index + 1 :])
        if layout.arrangement is Arrangement.COMPACT:
            assert chart.size.width == width  # the whole width, under the list
            assert pane.region.y > table.region.y


async def test_a_very_short_terminal_keeps_the_list_and_the_readout_line() -> None:
    async with launch(workspace(), size=(80, 16)) as (app, pilot, _, _):
        assert app.main_screen.has_class("-short")
        pane = await chart_ready(app, pilot, "run-b")
        await wait_for(lambda: shown(pane.readout), pilot)
        assert not shown(pane.chart)
        assert pane.readout.text.startswith("train ")
        assert table_of(app).page_height >= 8


async def test_the_cursor_starts_on_the_newest_running_job_not_the_newest_job() -> None:
    async with launch(workspace(), size=(120, 40)) as (app, pilot, client, _):
        table = table_of(app)
        assert table.job_ids[0] == "queued-new"
        await wait_for(lambda: table.highlighted_job_id == "run-b", pilot)
        await wait_for(lambda: ("get", "run-b") in client.calls, pilot)
        await chart_ready(app, pilot, "run-b")
        assert app.poller is not None
        await wait_for(lambda: app.poller.selected == "run-b", pilot)  # type: ignore[union-attr]


def _waiting() -> list[Any]:
    return [
        make_job("queued-q", status="QUEUED", created_at=T0 + 50),
        make_job("queued-r", status="QUEUED", created_at=T0 + 40, checkpoints=_curve(20)),
        make_job("done-x", status="SUCCESS", created_at=T0 + 30),
    ]


async def _start_training(app: FinetopApp, pilot: Any, client: Any, job_id: str) -> None:
    client.set_status(job_id, "RUNNING")
    assert app.poller is not None
    app.poller.refresh_now()
    await wait_for(lambda: app.store.get(job_id).job.status == "RUNNING", pilot)  # type: ignore[union-attr]


async def test_a_job_that_starts_training_takes_the_cursor_until_the_user_moves_it() -> None:
    async with launch(_waiting(), size=(120, 40)) as (app, pilot, client, _):
        table = table_of(app)
        assert table.highlighted_job_id == "queued-q"  # nothing trains yet: the newest job
        await _start_training(app, pilot, client, "queued-r")
        await wait_for(lambda: table.highlighted_job_id == "queued-r", pilot)


async def test_a_cursor_the_user_moved_stays_where_they_put_it() -> None:
    async with launch(_waiting(), size=(120, 40)) as (app, pilot, client, _):
        table = table_of(app)
        await pilot.press("G")
        assert table.highlighted_job_id == "done-x"
        await _start_training(app, pilot, client, "queued-r")
        await pilot.pause()
        app.main_screen.refresh_jobs(None)  # whatever refreshes come, the cursor stays
        assert table.highlighted_job_id == "done-x"


async def test_after_a_resize_the_focus_is_on_a_shown_widget_and_keys_work() -> None:
    async with launch(workspace(), size=(200, 60)) as (app, pilot, _, _):
        screen, table = app.main_screen, table_of(app)
        await wait_for(lambda: table.highlighted_job_id == "run-b", pilot)
        await pilot.press("tab")
        assert app.focused is screen.detail_scroll
        await pilot.resize_terminal(80, 24)
        await wait_for(lambda: screen.has_class("-compact"), pilot)
        await wait_for(lambda: app.focused is table, pilot)
        await pilot.press("j")
        assert table.highlighted_job_id == "run-c"
        await pilot.press("k")
        assert table.highlighted_job_id == "run-b"
        # Back to a size with room for the detail: tab reaches it again, and keys scroll it.
        await pilot.resize_terminal(200, 60)
        await wait_for(lambda: screen.has_class("-wide"), pilot)
        await pilot.press("tab")
        assert app.focused is screen.detail_scroll


async def test_the_full_detail_keeps_the_focus_through_a_resize() -> None:
    async with launch(workspace(), size=(80, 24)) as (app, pilot, _, _):
        screen = app.main_screen
        await wait_for(lambda: table_of(app).highlighted_job_id == "run-b", pilot)
        await pilot.press("enter")
        assert screen.has_class("-detail-full")
        await pilot.resize_terminal(100, 30)  # still compact: the full detail stays
        await pilot.pause()
        assert app.focused is screen.detail_scroll
        assert shown(screen.detail_scroll)


async def test_j_and_k_scroll_the_full_detail_and_leave_the_list_alone() -> None:
    async with launch(workspace(), size=(80, 24)) as (app, pilot, _, _):
        screen, table = app.main_screen, table_of(app)
        await chart_ready(app, pilot, "run-b")
        await pilot.press("enter")
        scroll = screen.detail_scroll
        await wait_for(lambda: scroll.max_scroll_y > 3, pilot)
        assert app.focused is scroll
        await pilot.press("j", "j", "j")
        await wait_for(lambda: scroll.scroll_y == 3, pilot)
        await pilot.press("k")
        await wait_for(lambda: scroll.scroll_y == 2, pilot)
        assert table.highlighted_job_id == "run-b"
        await pilot.press("escape")
        await pilot.press("j")
        assert table.highlighted_job_id == "run-c"  # back in the list, j moves the cursor
