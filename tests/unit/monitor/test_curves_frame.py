"""Frames: braille lines, axes at round values, spikes marked, one step axis, any size."""

from __future__ import annotations

import itertools

import attrs
import pytest
from support.training_runs import training_run

from tui.display.text import cell_width
from tui.monitor.curves import (
    ChartFrame,
    ChartOptions,
    Curve,
    Role,
    RunCurves,
    build_plot,
    curves_from_job,
    layout_frame,
)
from tui.monitor.curves.braille import DotCanvas, braille_char
from tui.monitor.curves.frame import MIN_HEIGHT, MIN_WIDTH
from tui.monitor.curves.ink import row_text


def frame_of(
    runs: list[RunCurves],
    width: int = 80,
    height: int = 12,
    options: ChartOptions | None = None,
    cursor: int | None = None,
) -> ChartFrame:
    plot = build_plot(runs, options or ChartOptions())
    frame = layout_frame(plot, width, height, cursor_step=cursor)
    assert frame is not None
    return frame


def cells(frame: ChartFrame, row: int) -> list[tuple[str, Role]]:
    return [(char, span.ink.role) for span in frame.rows[row] for char in span.text]


def plot_cells(frame: ChartFrame, role: Role) -> set[tuple[int, int]]:
    """``(column, row)`` in the plot area of every cell drawn in ``role``."""
    found = set()
    for row in range(frame.plot_rows):
        for x, (_char, cell_role) in enumerate(cells(frame, frame.plot_top + row)):
            if x >= frame.plot_left and cell_role is role:
                found.add((x - frame.plot_left, row))
    return found


def run(**kwargs: object) -> RunCurves:
    return curves_from_job(training_run(**kwargs))  # type: ignore[arg-type]


# ------------------------------------------------------------------ braille canvas


def test_braille_dots() -> None:
    canvas = DotCanvas(2, 1)
    canvas.set(0, 0)
    canvas.set(3, 3)
    assert braille_char(canvas.cell(0, 0)) == "⠁"
    assert braille_char(canvas.cell(1, 0)) == "⢀"
    canvas.set(99, 99)  # off the canvas: ignored
    assert sum(canvas.bits) == 0x01 + 0x80


def test_lines_are_clipped_and_dotted_lines_light_every_other_dot() -> None:
    solid, dotted = DotCanvas(10, 1), DotCanvas(10, 1)
    solid.line(-50, 1, 50, 1)
    dotted.line(-50, 1, 50, 1, dotted=True)
    lit_solid = sum(bin(b).count("1") for b in solid.bits)
    lit_dotted = sum(bin(b).count("1") for b in dotted.bits)
    assert lit_solid == 20  # the whole width, nothing outside
    assert 8 <= lit_dotted <= 12
    steep = DotCanvas(1, 2)
    steep.line(0, 0, 0, 7)
    assert [braille_char(b) for b in steep.bits] == ["⡇", "⡇"]


# ------------------------------------------------------------------ layout


@pytest.mark.parametrize(("width", "height"), [(36, 4), (40, 6), (80, 12), (160, 40)])
def test_every_row_is_exactly_the_width(width: int, height: int) -> None:
    frame = frame_of([run(last_step=1000)], width, height)
    assert len(frame.rows) == height
    assert all(cell_width(text) == width for text in frame.text())


def test_smallest_chart_is_legible() -> None:
    frame = frame_of([run(last_step=1000, planned=1000)], 36, 4)
    text = frame.text()
    assert frame.plot_rows == 3
    assert any("┤" in line for line in text[:3])  # at least one y label
    assert text[-1].split()[0] == "0"
    assert text[-1].split()[-1] == "1000"
    assert any("\u2800" < char <= "\u28ff" for char in "".join(text[:3]))


def test_too_small_or_empty_gives_no_frame() -> None:
    plot = build_plot([run(last_step=100)])
    assert layout_frame(plot, MIN_WIDTH - 1, 10) is None
    assert layout_frame(plot, 80, MIN_HEIGHT - 1) is None
    assert layout_frame(build_plot([RunCurves("x", "x")]), 80, 10) is None


def test_y_labels_are_round_and_inside_the_range() -> None:
    frame = frame_of([run(last_step=1000)], 80, 30)
    labels = [line.split("┤")[0].strip() for line in frame.text() if "┤" in line]
    assert len(labels) >= 3
    values = [float(label) for label in labels]
    assert values == sorted(values, reverse=True)
    gaps = {round(a - b, 9) for a, b in itertools.pairwise(values)}
    assert len(gaps) == 1  # evenly spaced
    (gap,) = gaps
    assert f"{gap:g}".lstrip("0.").rstrip("0") in ("1", "2", "5", "25")
    decimals = {len(label.partition(".")[2]) for label in labels}
    assert len(decimals) == 1  # consistent decimals
    assert all(frame.geometry.scale.contains(v) for v in values)


@pytest.mark.parametrize("height", [6, 8, 12, 14])
def test_a_range_whose_round_steps_hold_one_value_still_gets_evenly_spaced_labels(
    height: int,
) -> None:
    # 0.6 to 1.35: steps of 0.5 hold only 1.0; finer round ticks give two or more labels.
    curve = Curve((0, 50, 100), (1.35, 0.9, 0.6))
    frame = frame_of([RunCurves("job-1", "job-1", train=curve)], 80, height)
    labels = [line.split("┤")[0].strip() for line in frame.text() if "┤" in line]
    assert len(labels) >= 2
    values = [float(label) for label in labels]
    assert all(frame.geometry.scale.contains(v) for v in values)
    assert all(round(value * 10) == value * 10 for value in values)  # round values
    gaps = {round(a - b, 9) for a, b in itertools.pairwise(values)}
    assert len(gaps) == 1  # evenly spaced
    if len(values) >= 3:
        assert f"{gaps.pop():g}".lstrip("0.").rstrip("0") in ("1", "2", "5", "25")


def test_a_spike_is_clipped_to_the_top_and_marked() -> None:
    curve = run(last_step=1000, spikes={500: 10.0})
    frame = frame_of([curve], 80, 12)
    spike_value = curve.train.at_or_before(500).value  # type: ignore[union-attr]
    assert not frame.geometry.scale.contains(spike_value)
    assert frame.clipped
    marked = plot_cells(frame, Role.SPIKE)
    assert marked == {(frame.geometry.column_of(500), 0)}
    top = cells(frame, frame.plot_top)
    assert top[frame.plot_left + frame.geometry.column_of(500)][0] == "▲"
    assert "▲ off scale" in frame.text()[0]
    # The rest of the curve keeps its shape: it spans most of the plot's height.
    rows_used = {row for _col, row in plot_cells(frame, Role.TRAIN)}
    assert len(rows_used) >= frame.plot_rows - 1


def test_no_marker_and_no_key_mention_without_a_clipped_point() -> None:
    frame = frame_of([run(last_step=1000)], 80, 12)
    assert not frame.clipped
    assert not plot_cells(frame, Role.SPIKE)
    assert "off scale" not in frame.text()[0]


def test_valid_is_drawn_at_its_step_and_only_where_evaluated() -> None:
    # Evaluated at steps 500 and 900 only; every other checkpoint says valid_loss 0.0.
    job = training_run(last_step=1000, planned=1000, eval_every=0)
    checkpoints = tuple(
        attrs.evolve(
            c, metrics=attrs.evolve(c.metrics, valid_loss=1.5, valid_mean_token_accuracy=2**1.5)
        )
        if c.step_number in (500, 900)
        else c
        for c in job.checkpoints
    )
    curves = curves_from_job(attrs.evolve(job, checkpoints=checkpoints))
    frame = frame_of([curves], 80, 12)
    geometry = frame.geometry
    valid_columns = {column for column, _row in plot_cells(frame, Role.VALID)}
    columns_500, columns_900 = geometry.column_of(500), geometry.column_of(900)
    # A plus at each evaluated step, joined by a dotted line; nothing before 500 or after 900.
    assert min(valid_columns) >= columns_500 - 1
    assert max(valid_columns) <= columns_900 + 1
    assert columns_500 in valid_columns
    assert columns_900 in valid_columns
    row = geometry.row_of(1.5)
    assert (columns_500, row) in plot_cells(frame, Role.VALID)
    # Train's point at step 500 lands in the same column.
    train_500 = curves.train.at_or_before(500).value  # type: ignore[union-attr]
    train_row = geometry.row_of(train_500)
    drawn = plot_cells(frame, Role.TRAIN) | plot_cells(frame, Role.VALID)
    assert (columns_500, train_row) in drawn


def test_train_and_valid_tell_apart_without_colour() -> None:
    # Two flat lines: train solid (both dots of a cell row lit), valid dotted with pluses.
    steps = tuple(range(10, 1001, 10))
    curves = RunCurves(
        "x",
        "x",
        train=Curve(steps, (1.0,) * len(steps)),
        valid=Curve(steps[9::10], (2.0,) * 10),
    )
    frame = frame_of([curves], 80, 12)
    assert frame.text()[0].startswith("⠤⠤ train  ⠄⠄ valid")

    def dots(role: Role) -> list[int]:
        return [
            bin(ord(char) - 0x2800).count("1")
            for row in range(frame.plot_rows)
            for char, cell_role in cells(frame, frame.plot_top + row)
            if cell_role is role and "\u2800" < char <= "\u28ff"
        ]

    train, valid = dots(Role.TRAIN), dots(Role.VALID)
    assert set(train) == {2}  # a solid line: every dot of its row
    assert valid.count(1) > len(valid) / 2  # mostly one dot in two
    assert max(valid) >= 3  # the plus of an evaluated point


def test_cursor_column_label_and_readout() -> None:
    frame = frame_of([run(last_step=1000)], 80, 12, cursor=480)
    column = frame.plot_left + frame.geometry.column_of(480)
    assert frame.text()[0].startswith("step 480 · train ")
    assert "(step 450)" in frame.text()[0]  # valid comes from the last evaluated step
    for row in range(frame.plot_top, frame.plot_top + frame.plot_rows):
        span = next(
            span for span, start in _starts(frame, row) if start <= column < start + len(span.text)
        )
        assert span.ink.cursor or span.ink.role is Role.CURSOR
    assert "480" in frame.text()[-1]
    assert frame.step_at(column) == pytest.approx(480, abs=10)


def _starts(frame: ChartFrame, row: int) -> list:
    starts, x = [], 0
    for span in frame.rows[row]:
        starts.append((span, x))
        x += len(span.text)
    return starts


def test_key_row_tells_the_view() -> None:
    options = ChartOptions(last_steps=200, smoothing=0.6, log_scale=True)
    key = frame_of([run(last_step=1000)], 100, 12, options).text()[0]
    assert "ema 0.6" in key
    assert "last 200 steps" in key
    assert "log" in key


def test_compared_runs_have_a_legend_and_their_numbers() -> None:
    first = run(job_id="aaaa1111-x", suffix="base", last_step=1000, status="SUCCESS")
    second = run(job_id="bbbb2222-x", suffix="evil\x1b[2J", last_step=600, status="SUCCESS", seed=5)
    frame = frame_of([first, second], 100, 16)
    text = frame.text()
    assert text[1].startswith("1 ⠤⠤ aaaa1111 base  best valid ")
    assert text[2].startswith("2 ⠤⠤ bbbb2222 evil␛[2J  best valid ")
    assert "\x1b" not in "".join(text)
    plot_text = "".join(text[frame.plot_top : frame.plot_top + frame.plot_rows])
    assert "1" in plot_text
    assert "2" in plot_text
    runs = {span.ink.run for row in frame.rows for span in row if span.ink.role is Role.TRAIN}
    assert runs == {0, 1}


def test_compared_runs_on_a_short_chart_share_one_legend_line() -> None:
    first = run(job_id="aaaa1111-x", last_step=1000)
    second = run(job_id="bbbb2222-x", last_step=600, seed=5)
    frame = frame_of([first, second], 80, 6)
    assert frame.text()[0].startswith("1 aaaa1111 run 0.")
    assert " · 2 bbbb2222 run " in frame.text()[0]
    assert frame.plot_rows == 4


def test_wide_characters_in_a_legend_keep_the_row_width() -> None:
    first = run(job_id="aaaa1111-x", suffix="模型" * 30, last_step=100)
    second = run(job_id="bbbb2222-x", last_step=100, seed=5)
    frame = frame_of([first, second], 60, 16)
    assert all(cell_width(row_text(row)) == 60 for row in frame.rows)


def test_step_at_inverts_column_of() -> None:
    frame = frame_of([run(last_step=1000, planned=1000)], 80, 12)
    geometry = frame.geometry
    for step in (0, 130, 500, 990, 1000):
        assert geometry.column_of(geometry.step_at(geometry.column_of(step))) == (
            geometry.column_of(step)
        )
    assert frame.step_at(0) is None
