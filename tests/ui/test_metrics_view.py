"""The full-screen metrics view (``m``): keys, closing, compared runs, and live updates that
keep the chart (its zoom, smoothing and cursor) in place."""

from __future__ import annotations

from typing import Any

import attrs

from tests.ui.helpers import make_job, wait_for
from tests.ui.test_app import launch, table_of
from tests.ui.test_chart_layout import T0, _curve, chart_ready, workspace
from tui.app.actions import FinetopCommands
from tui.app.app import FinetopApp
from tui.app.screens.help import HelpScreen
from tui.app.screens.metrics import MetricsScreen
from tui.app.widgets.footer import FitFooter


def chart_text(view: MetricsScreen) -> list[str]:
    chart = view.chart
    return [chart.render_line(y).text for y in range(chart.size.height)]


async def open_view(app: FinetopApp, pilot: Any) -> MetricsScreen:
    await pilot.press("m")
    await wait_for(lambda: isinstance(app.screen, MetricsScreen), pilot)
    view = app.screen
    assert isinstance(view, MetricsScreen)
    await wait_for(lambda: view.chart.frame is not None, pilot)
    return view


async def test_m_opens_a_big_chart_of_the_selected_job_and_escape_m_q_close_it() -> None:
    async with launch(workspace(), size=(120, 35)) as (app, pilot, _, _):
        await chart_ready(app, pilot, "run-b")
        for close in ("escape", "m", "q"):
            view = await open_view(app, pilot)
            assert view.job_ids == ("run-b",)
            assert app.focused is view.chart
            text = chart_text(view)
            assert text[0].startswith("⠤⠤ train  ⠄⠄ valid")
            assert "└" in text[-2]  # an x-axis line above the step labels
            assert text[-1].split()[-1] == "400"
            assert view.chart.size.height >= 25
            footer = view.query_one(FitFooter)
            await wait_for(lambda f=footer: "close" in f.shown_actions, pilot)
            for action in ("move_cursor(1)", "toggle_zoom", "cycle_smoothing", "toggle_log"):
                assert action in footer.shown_actions
            await pilot.press(close)
            await wait_for(lambda: app.screen is app.main_screen, pilot)
        assert app.is_running  # q closed the view, it did not quit
        assert app.main_screen.metrics_view is None


async def test_the_cursor_reads_every_metric_and_escape_hides_it_before_closing() -> None:
    async with launch(workspace(), size=(100, 30)) as (app, pilot, _, _):
        await chart_ready(app, pilot, "run-b")
        view = await open_view(app, pilot)
        await pilot.press("right", "left")
        await wait_for(lambda: view.chart.cursor_step == 190, pilot)
        await wait_for(lambda: chart_text(view)[0].startswith("step 190 · train 0.6897"), pilot)
        assert "valid 0.9333 (step 150) · ppl " in chart_text(view)[0]
        await pilot.press("escape")
        await wait_for(lambda: view.chart.cursor_step is None, pilot)
        assert app.screen is view  # the first escape hid the cursor only
        await pilot.press("escape")
        await wait_for(lambda: app.screen is app.main_screen, pilot)


async def test_help_lists_the_metrics_keys_with_their_ids() -> None:
    async with launch(workspace(), size=(120, 40)) as (app, pilot, _, _):
        await chart_ready(app, pilot, "run-b")
        await open_view(app, pilot)
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        ids = {row[2] for row in help_screen.rows()}
        assert {
            "metrics",
            "metrics.close",
            "chart.zoom",
            "chart.smoothing",
            "chart.log_scale",
        } <= ids
        assert {"chart.cursor_left", "chart.cursor_right", "detail_down", "detail_up"} <= ids


async def test_two_marked_jobs_are_overlaid_with_a_legend_the_selected_first() -> None:
    async with launch(workspace(), size=(120, 40)) as (app, pilot, _, _):
        table = table_of(app)
        await chart_ready(app, pilot, "run-b")
        await pilot.press("space", "j")  # mark run-b, move to run-c (marked below)
        await pilot.press("space")
        assert table.marked_ids == {"run-b", "run-c"}
        await pilot.press("k")  # run-b selected
        view = await open_view(app, pilot)
        assert view.job_ids == ("run-b", "run-c")
        assert [run.job_id for run in view.chart.runs] == ["run-b", "run-c"]
        text = chart_text(view)
        legend = [line for line in text if line[:2] in ("1 ", "2 ")]
        assert legend[0].startswith("1 ⠤⠤ run-b beta  best valid 0.7875 @200")
        assert legend[1].startswith("2 ⠤⠤ run-c gamma  best valid 0.9333 @150")
        summaries = str(view.query_one("#metrics-runs").render())
        assert "1 run-b beta: train 0.6667" in summaries
        assert "2 run-c gamma: train 0.8" in summaries


async def test_a_compared_job_without_its_detail_is_fetched_and_fills_in() -> None:
    finished = make_job(
        "done-old", status="SUCCESS", created_at=T0 - 500, suffix="baseline", steps=200,
        checkpoints=_curve(200),
    )  # fmt: skip
    async with launch([*workspace(), finished], size=(120, 40)) as (app, pilot, client, _):
        table = table_of(app)
        await chart_ready(app, pilot, "run-b")
        # Mark the finished job without resting on it: its detail is never selected.
        here = table.cursor_row
        table.move_cursor(table.job_ids.index("done-old"))
        table.action_toggle_mark()
        table.move_cursor(here)
        await pilot.pause()
        assert not app.store.get("done-old").has_detail  # type: ignore[union-attr]
        view = await open_view(app, pilot)
        assert view.job_ids == ("run-b", "done-old")
        await wait_for(lambda: ("get", "done-old") in client.calls, pilot)
        await wait_for(lambda: len(view.chart.runs) == 2 and bool(view.chart.runs[1].train), pilot)
        assert any(line.startswith("2 ⠤⠤ done-old baseline") for line in chart_text(view))
        assert client.calls.count(("get", "done-old")) == 1


async def test_new_checkpoints_extend_the_curves_in_place_keeping_zoom_and_cursor() -> None:
    async with launch(workspace(), size=(120, 40)) as (app, pilot, client, _):
        await chart_ready(app, pilot, "run-b")
        view = await open_view(app, pilot)
        chart = view.chart
        await pilot.press("z", "e", "right", "left", "left")
        await wait_for(lambda: chart.zoom_steps == 50 and chart.cursor_step == 180, pilot)
        version = chart.data_version
        job = client.jobs["run-b"]
        grown = make_job("run-b", status="RUNNING", created_at=T0 + 90, steps=400,
                         checkpoints=_curve(220))  # fmt: skip
        client.jobs["run-b"] = attrs.evolve(job, checkpoints=grown.checkpoints)
        assert app.poller is not None
        app.poller.refresh_now()
        await wait_for(lambda: chart.runs[0].train.steps[-1] == 220, pilot)
        assert view.chart is chart
        assert app.screen is view
        assert chart.data_version == version + 1
        assert (chart.zoom_steps, chart.cursor_step) == (50, 180)
        assert chart.smoothing > 0
        assert chart.plot is not None
        assert (chart.plot.first_step, chart.plot.last_step) == (170, 220)
        await wait_for(lambda: chart_text(view)[0].startswith("step 180 · train "), pilot)
        # The main screen caught up meanwhile; back there, it shows the new step too.
        await pilot.press("m")
        pane = await chart_ready(app, pilot, "run-b")
        await wait_for(lambda: "min 0.625 @220" in pane.readout.text, pilot)


async def test_the_palette_over_the_metrics_view_offers_only_what_works_there() -> None:
    async with launch(workspace(), size=(120, 35)) as (app, pilot, _, _):
        await chart_ready(app, pilot, "run-b")
        on_main = {title for title, _, _ in FinetopCommands(app.screen).commands()}
        view = await open_view(app, pilot)
        on_view = {title for title, _, _ in FinetopCommands(view).commands()}
        # The job list's commands (open the detail, filter, sort...) would do nothing here.
        assert "Open the job's detail" in on_main
        assert "Open the job's detail" not in on_view
        assert "Filter jobs (! inverts)" not in on_view
        # The app's own still work from here: refresh, pause, copy, help, quit.
        assert {"Refresh now", "Copy the job id"} <= on_view
        assert on_view < on_main
        for _, _, action in FinetopCommands(view).commands():
            assert not action.startswith("screen."), action
