"""MetricsChart in a tiny host app: sizes, live updates that keep the view, caching, keys."""

from __future__ import annotations

import attrs
import pytest
from helpers import Recorder, wait_for
from support.chart_host import ChartHost
from support.training_runs import loss_checkpoints, training_run

from tui.api.models import CompletionJobDetails
from tui.app.widgets.chart import MetricsChart


def lines(chart: MetricsChart) -> list[str]:
    return [chart.render_line(y).text for y in range(chart.size.height)]


def grow(job: CompletionJobDetails, last_step: int, every: int = 10) -> CompletionJobDetails:
    """The same job after more checkpoints (the curve is seeded, so old points stay put)."""
    checkpoints = loss_checkpoints(range(every, last_step + 1, every))
    return attrs.evolve(job, checkpoints=checkpoints)


async def shown(app: ChartHost, pilot: object, job: object) -> MetricsChart:
    chart = app.chart
    chart.show_job(job)
    await wait_for(lambda: chart.frame is not None and chart.strip_builds > 0, pilot)  # type: ignore[arg-type]
    return chart


@pytest.mark.parametrize(("width", "height"), [(40, 6), (80, 12), (160, 40)])
async def test_renders_axes_labels_and_curves_at_every_size(width: int, height: int) -> None:
    app = ChartHost()
    async with app.run_test(size=(width, height)) as pilot:
        chart = await shown(app, pilot, training_run(last_step=600, planned=1000))
        assert chart.size == (width, height)
        text = lines(chart)
        assert len(text) == height
        assert all(len(line) == width for line in text)
        y_labels = [line.split("┤")[0].strip() for line in text if "┤" in line]
        assert len(y_labels) >= 2
        assert all(float(label) for label in y_labels)
        steps = text[-1].split()
        assert steps[0] == "0"
        assert steps[-1] == "1000"
        braille = sum(1 for line in text for char in line if "\u2800" < char <= "\u28ff")
        assert braille >= width // 3
        if height >= 8:
            assert text[0].startswith("⠤⠤ train  ⠄⠄ valid")


async def test_too_small_shows_a_one_line_summary() -> None:
    app = ChartHost()
    async with app.run_test(size=(60, 3)) as pilot:
        chart = app.chart
        chart.show_job(training_run(last_step=100))
        await wait_for(lambda: "train" in chart.render_line(0).text, pilot)
        assert chart.frame is None
        first = chart.render_line(0).text
        assert first.startswith("train 1.63 · min 1.63 @100 · first ")
        assert "best valid" in first
        assert chart.render_line(1).text.strip() == ""


async def test_no_job_and_no_checkpoints() -> None:
    app = ChartHost()
    async with app.run_test(size=(60, 10)) as pilot:
        chart = app.chart
        await pilot.pause()
        assert chart.render_line(0).text.startswith("no job")
        chart.show_job(training_run(last_step=0))
        await wait_for(lambda: "no checkpoints yet" in chart.render_line(0).text, pilot)


async def test_new_checkpoints_extend_the_curve_and_keep_the_view() -> None:
    job = training_run(last_step=400, planned=1000)
    app = ChartHost()
    async with app.run_test(size=(80, 16)) as pilot:
        chart = await shown(app, pilot, job)
        chart.focus()
        await pilot.press("e", "right", "left")  # smoothing on, cursor on the step before last
        await wait_for(lambda: chart.cursor_step == 390, pilot)
        chart.zoom_steps = 300
        await wait_for(lambda: chart.plot is not None and chart.plot.first_step == 100, pilot)
        before = lines(chart)
        version = chart.data_version

        chart.show_job(grow(job, 500))
        await wait_for(lambda: lines(chart) != before, pilot)
        assert chart.data_version == version + 1
        assert chart.cursor_step == 390
        assert chart.zoom_steps == 300
        assert chart.smoothing == pytest.approx(0.6)
        assert chart.plot is not None
        assert (chart.plot.first_step, chart.plot.last_step) == (200, 500)
        assert lines(chart)[-1].split()[-1] == "500"
        assert lines(chart)[0].startswith("step 390 · train ")


async def test_an_update_repaints_only_what_changed() -> None:
    job = training_run(last_step=600, planned=1000)
    app = ChartHost()
    async with app.run_test(size=(120, 30)) as pilot:
        chart = await shown(app, pilot, job)
        builds = chart.strip_builds
        chart.refreshes.clear()
        chart.show_job(grow(job, 610))
        await wait_for(lambda: chart.strip_builds > builds, pilot)
        assert chart.refreshes
        assert None not in chart.refreshes  # no whole-widget repaint
        area = sum(region.area for regions in chart.refreshes for region in regions or ())
        assert 0 < area <= 0.3 * 120 * 30


async def test_same_data_costs_nothing() -> None:
    job = training_run(last_step=600)
    app = ChartHost()
    async with app.run_test(size=(80, 12)) as pilot:
        chart = await shown(app, pilot, job)
        frames, strips, version = chart.frame_builds, chart.strip_builds, chart.data_version
        chart.refreshes.clear()
        chart.show_job(attrs.evolve(job))  # an equal job, as a poll brings when nothing moved
        chart.show_job(training_run(last_step=600))
        await pilot.pause()
        assert chart.data_version == version
        assert chart.refreshes == []
        # A repaint for another reason (the app's own) reuses the cached lines.
        chart.refresh()
        await pilot.pause()
        assert lines(chart) == lines(chart)
        assert (chart.frame_builds, chart.strip_builds) == (frames, strips)


async def test_theme_change_restyles_without_relaying_out() -> None:
    app = ChartHost()
    async with app.run_test(size=(80, 12)) as pilot:
        chart = await shown(app, pilot, training_run(last_step=300))
        frames, strips = chart.frame_builds, chart.strip_builds
        train_style = chart.get_component_rich_style("chart--train")
        app.theme = "textual-light" if app.theme != "textual-light" else "nord"
        await wait_for(lambda: chart.strip_builds > strips, pilot)
        assert chart.frame_builds == frames
        assert chart.get_component_rich_style("chart--train") != train_style


async def test_cursor_keys_and_messages() -> None:
    recorder = Recorder()
    app = ChartHost()
    async with app.run_test(size=(80, 12), message_hook=recorder.hook) as pilot:
        chart = await shown(app, pilot, training_run(last_step=300, eval_every=100))
        chart.focus()
        await pilot.press("right")
        await wait_for(lambda: chart.cursor_step == 300, pilot)
        await pilot.press("left", "left")
        await wait_for(lambda: chart.cursor_step == 280, pilot)
        await pilot.press("home")
        await wait_for(lambda: chart.cursor_step == 10, pilot)
        await pilot.press("shift+right")
        await wait_for(lambda: chart.cursor_step == 110, pilot)
        # The hook sees a message at each node it bubbles through: count each one once.
        moved = list({id(m): m for m in recorder.of(MetricsChart.CursorMoved)}.values())
        assert [m.step for m in moved] == [300, 290, 280, 10, 110]
        (readout,) = moved[-1].readouts
        assert readout.train.step == 110
        assert readout.valid.step == 100  # the nearest evaluated step before the cursor
        assert lines(chart)[0].startswith("step 110 · train ")
        await pilot.press("escape")
        await wait_for(lambda: chart.cursor_step is None, pilot)
        assert recorder.of(MetricsChart.CursorMoved)[-1].readouts == ()
        assert lines(chart)[0].startswith("⠤⠤ train")


async def test_view_keys() -> None:
    app = ChartHost()
    async with app.run_test(size=(100, 14)) as pilot:
        chart = await shown(app, pilot, training_run(last_step=1000, status="SUCCESS"))
        chart.focus()
        await pilot.press("z")
        await wait_for(lambda: chart.zoom_steps == 200, pilot)  # a quarter of 1000, rounded
        await wait_for(lambda: "last 200 steps" in lines(chart)[0], pilot)
        await pilot.press("z", "l", "e", "e")
        await wait_for(lambda: chart.log_scale and chart.smoothing == pytest.approx(0.9), pilot)
        assert chart.zoom_steps is None
        await wait_for(lambda: "ema 0.9" in lines(chart)[0] and "log" in lines(chart)[0], pilot)
        await pilot.press("e")
        await wait_for(lambda: chart.smoothing == 0.0, pilot)


async def test_click_puts_the_cursor_on_the_nearest_step() -> None:
    app = ChartHost()
    async with app.run_test(size=(80, 12)) as pilot:
        chart = await shown(app, pilot, training_run(last_step=1000, planned=1000))
        frame = chart.frame
        assert frame is not None
        column = frame.plot_left + frame.geometry.column_of(500)
        await pilot.click(chart, offset=(column, frame.plot_top + 2))
        await wait_for(lambda: chart.cursor_step is not None, pilot)
        assert abs(chart.cursor_step - 500) <= 10  # type: ignore[operator]
        assert chart.cursor_step % 10 == 0  # type: ignore[operator]  # on a step with data


async def test_another_job_hides_the_cursor_but_keeps_the_view() -> None:
    app = ChartHost()
    async with app.run_test(size=(80, 12)) as pilot:
        chart = await shown(app, pilot, training_run(last_step=300))
        chart.cursor_step = 200
        chart.log_scale = True
        chart.show_job(training_run("ffff0000-other", last_step=300, seed=4))
        await wait_for(lambda: chart.cursor_step is None, pilot)
        assert chart.log_scale


async def test_compared_jobs_show_a_legend_with_plain_text_labels() -> None:
    app = ChartHost()
    async with app.run_test(size=(100, 16)) as pilot:
        chart = app.chart
        chart.compare_jobs(
            [
                training_run("aaaa1111-x", suffix="[bold]base[/]", last_step=500),
                training_run("bbbb2222-x", suffix="evil\x1b[2J", last_step=400, seed=3),
            ]
        )
        await wait_for(lambda: chart.strip_builds > 0 and chart.frame is not None, pilot)
        text = lines(chart)
        assert text[1].startswith("1 ⠤⠤ aaaa1111 [bold]base[/]  best valid ")
        assert text[2].startswith("2 ⠤⠤ bbbb2222 evil␛[2J  best valid ")
        assert len(chart.runs) == 2
