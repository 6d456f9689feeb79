"""What the app shows on opening and at every terminal size: the first job's detail is asked
for, the job table fits its space, the footer and the status line fit the width."""

from __future__ import annotations

from typing import Any

import pytest
from textual.color import Color

from tests.ui.helpers import make_job, wait_for
from tests.ui.test_app import launch
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.footer import FitFooter
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.status_line import StatusLine

T0 = 1_750_000_000


def _finished_first() -> list[Any]:
    # The newest job (the first row) has finished and none is training, so the cursor starts
    # on it: only selecting it fetches its detail.
    return [
        make_job(
            "done-new",
            status="SUCCESS",
            created_at=T0 + 50,
            suffix="newest",
            checkpoints=[(50, 1.1, 1.2), (100, 0.9, 1.0)],
        ),
        make_job("queued-old", status="QUEUED", created_at=T0, suffix="older"),
    ]


async def test_the_first_row_is_selected_and_its_detail_fetched_on_opening() -> None:
    async with launch(_finished_first(), size=(160, 48)) as (app, pilot, client, _):
        table = app.main_screen.query_one(JobTable)
        assert table.highlighted_job_id == "done-new"
        await wait_for(lambda: ("get", "done-new") in client.calls, pilot)
        assert app.poller is not None
        assert app.poller.selected == "done-new"
        pane = app.main_screen.query_one(DetailPane)

        def detail_shown() -> bool:
            view = app.store.get("done-new")
            return view is not None and view.has_detail and pane.job is view.job

        await wait_for(detail_shown, pilot)
        assert "being fetched" not in pane.plain_text()


def _many_jobs() -> list[Any]:
    jobs = [
        make_job(
            f"run-{n:02d}-0000-0000-0000-000000000000",
            status="RUNNING",
            created_at=T0 + n,
            suffix=f"a-rather-long-suffix-{n}",
            steps=1000,
            checkpoints=[(999, 1.2345, 1.3456)],
        )
        for n in range(60)
    ]
    return [*jobs, *_finished_first()]


@pytest.mark.parametrize(
    "size", [(80, 24), (120, 40), (140, 40), (140, 24), (160, 48), (200, 50), (170, 30)]
)
async def test_the_job_table_never_scrolls_sideways(size: tuple[int, int]) -> None:
    async with launch(_many_jobs(), size=size) as (app, pilot, _, _):
        table = app.main_screen.query_one(JobTable)
        await pilot.pause()
        assert table.virtual_size.width <= table.scrollable_content_region.width
        assert table.max_scroll_x == 0
        assert not table.show_horizontal_scrollbar
        # What tells a run apart and how it goes is always there.
        assert {"status", "id", "name", "progress", "eta"} <= set(table.shown_columns)
        if size[0] >= 120:
            assert {"train", "valid"} <= set(table.shown_columns)


async def test_columns_follow_a_resize_and_keep_the_cursor() -> None:
    async with launch(_many_jobs(), size=(200, 50)) as (app, pilot, client, _):
        table = app.main_screen.query_one(JobTable)
        await pilot.press("j", "j", "j")
        job_id = table.highlighted_job_id
        assert "type" in table.shown_columns
        await pilot.resize_terminal(80, 24)
        await wait_for(lambda: "type" not in table.shown_columns, pilot)
        assert table.highlighted_job_id == job_id
        assert table.row_count == len(client.jobs)
        assert table.max_scroll_x == 0


def _footer_width(footer: FitFooter) -> int:
    return footer.render().cell_len


@pytest.mark.parametrize("size", [(80, 24), (60, 24), (120, 40), (200, 50)])
async def test_the_footer_fits_and_follows_the_detail(size: tuple[int, int]) -> None:
    async with launch(_many_jobs(), size=size) as (app, pilot, _, _):
        footer = app.main_screen.query_one(FitFooter)

        async def shows(*wanted: str, absent: tuple[str, ...] = ()) -> None:
            def ok() -> bool:
                shown = footer.shown_actions
                return all(a in shown for a in wanted) and not any(a in shown for a in absent)

            await wait_for(ok, pilot)
            assert _footer_width(footer) <= size[0]

        await shows("help", "quit", "select_cursor", absent=("close_detail",))
        await pilot.press("enter")
        await shows("help", "quit", "close_detail", absent=("select_cursor", "open_detail"))
        await pilot.press("escape")
        await shows("help", "quit", "select_cursor", absent=("close_detail",))
        if size[0] >= 120:
            assert "palette" in footer.shown_actions


async def test_startup_warnings_are_notified_once_and_the_banner_says_why_demo() -> None:
    async with launch(
        _finished_first(),
        size=(160, 48),
        warnings=("unknown key 'colour' in config.toml",),
        demo_reason="no API key: MISTRAL_API_KEY is not set",
    ) as (app, pilot, _, _):
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "MISTRAL_API_KEY is not set" in line.plain, pilot)
        notices = [n.message for n in app._notifications]
        assert notices.count("unknown key 'colour' in config.toml") == 1


@pytest.mark.parametrize("theme", ["finetop-light", "finetop-high-contrast"])
async def test_status_colours_come_from_the_theme(theme: str) -> None:
    jobs = [*_finished_first(), make_job("valid-x", status="VALIDATED", created_at=T0 + 60)]
    async with launch(jobs, size=(120, 40), theme=theme) as (app, pilot, _, _):
        table = app.main_screen.query_one(JobTable)
        variables = app.theme_variables
        status = table.get_cell("valid-x", "status")
        assert str(status.style).lower() == variables["warning"][:7].lower()
        line = app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "updated" in line.plain, pilot)
        rendered = line.render()
        spans = [
            span
            for span in getattr(rendered, "spans", [])
            if "updated" in rendered.plain[span.start : span.end]
        ]
        assert spans, rendered
        success = Color.parse(variables["success"])
        assert spans[0].style.foreground.rgb == success.rgb
        # No suffix: the base model stands in, muted (not dim on the high-contrast cursor row).
        base_model = table.get_cell("valid-x", "name")
        assert str(base_model.style) == ("italic" if theme == "finetop-high-contrast" else "dim")


async def test_columns_follow_their_content_not_the_room_left_over() -> None:
    long_name = make_job("long-one", created_at=T0 + 99, suffix="a-very-long-experiment-name-v2")
    async with launch([*_many_jobs(), long_name], size=(200, 50)) as (app, pilot, client, _):
        table = app.main_screen.query_one(JobTable)
        layout = table.column_layout
        assert layout.width_of("name") == len("a-very-long-experiment-name-v2")
        assert layout.width_of("model") == len("open-mistral-7b")  # in full
        assert layout.used < table.scrollable_content_region.width  # spare room at the right
        await pilot.resize_terminal(198, 50)
        await wait_for(lambda: table.scrollable_content_region.width < 140, pilot)
        assert table.column_layout == layout  # the same content: the same columns
        await pilot.resize_terminal(80, 24)
        await wait_for(lambda: table.column_layout.short_model, pilot)
        assert str(table.get_cell("long-one", "model")) == "7b"  # short, but there
        assert table.row_count == len(client.jobs)
        assert table.virtual_size.width <= table.scrollable_content_region.width
