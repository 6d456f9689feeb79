"""The job list's pure parts: cells, column fitting, the header and its notes."""

from __future__ import annotations

from typing import Any

import pytest
from rich.style import Style

from tests.ui.helpers import make_job
from tui.app.widgets.job_columns import COLUMN_BY_KEY, COLUMNS, fit_columns
from tui.app.widgets.job_header import badge_note, header_line, sort_note, sort_note_room
from tui.app.widgets.job_rows import content_widths, row_cells, sparkline, status_cell
from tui.monitor.store import JobStore

NOW = 1_750_000_000 + 3600
TYPICAL = {"status": 11, "name": 23, "model": 19, "model_short": 12}
"""Widest values of a usual workspace: VALIDATED, a long suffix, ministral-8b-latest."""


def _view(job: Any) -> Any:
    store = JobStore()
    store.apply(job)
    (view,) = store.query()
    return view


def test_status_is_glyph_and_word() -> None:
    assert str(status_cell("RUNNING")) == "▶ RUNNING"
    assert str(status_cell("SUCCESS")) == "✔ SUCCESS"
    assert str(status_cell("FAILED")) == "✘ FAILED"
    assert str(status_cell("QUEUED")) == "◌ QUEUED"
    assert str(status_cell("CANCELLATION_REQUESTED")) == "◼ CANCELLING"
    assert str(status_cell("SOMETHING_NEW")) == "? SOMETHING_NEW"
    assert str(status_cell("EVIL\x1b[2J")) == "? EVIL␛[2J"  # server text, made safe


def test_row_cells_show_progress_bar_and_losses() -> None:
    cells = row_cells(_view(make_job("a", suffix="my-[run]", checkpoints=[(40, 0.8, 0.9)])), NOW)
    assert str(cells["progress"]) == "   40/100 ███·····"
    assert str(cells["name"]) == "my-[run]"  # never read as markup
    assert str(cells["train"]) == "0.8"
    assert str(cells["valid"]) == "0.9"
    assert str(cells["id"]) == "a"
    assert str(cells["model"]) == "open-mistral-7b"
    assert str(cells["model_short"]) == "7b"


def test_progress_bar_keeps_its_width_and_eta_has_no_prefix() -> None:
    big = make_job("b", steps=1000, checkpoints=[(1000, 0.8, 0.9)], status="RUNNING")
    small = make_job("s", steps=69, checkpoints=[(5, 0.8, 0.9)], status="RUNNING")
    huge = make_job("h", steps=100_000, checkpoints=[(50_000, 0.8, 0.9)], status="RUNNING")
    progress = {}
    for job in (big, small, huge):
        cells = row_cells(_view(job), NOW)
        progress[job.id] = str(cells["progress"])
        assert not str(cells["eta"]).startswith("ETA")
    assert progress["b"] == "1000/1000 ████████"
    assert progress["s"] == "     5/69 █·······"
    assert progress["h"] == "      50% ████····"
    assert {len(text) for text in progress.values()} == {18}


def test_a_job_without_a_suffix_is_named_by_its_base_model_never_its_id() -> None:
    job = make_job(
        "4ffddbce-0000-0000-0000-000000000000",
        status="SUCCESS",
        fine_tuned_model="ft:open-mistral-7b:b6e34a5e:20240531:4ffddbce",
    )
    name = row_cells(_view(job), NOW)["name"]
    assert str(name) == "open-mistral-7b"
    assert str(name.style) == "dim"  # stands in for a name: muted
    named = make_job("n", suffix="exp-7", fine_tuned_model="ft:open-mistral-7b:ws:exp-7:abcd")
    assert str(row_cells(_view(named), NOW)["name"]) == "exp-7"


def test_the_train_loss_curve_is_drawn_for_running_jobs_with_checkpoints_only() -> None:
    points = [(step, 2.0 / step, 0.0) for step in range(1, 30)]
    running = row_cells(_view(make_job("r", checkpoints=points)), NOW)["spark"]
    assert len(str(running)) == 8
    assert str(running)[0] == "█"  # the loss falls: high first, low last
    assert str(running)[-1] == "▁"
    done = row_cells(_view(make_job("d", status="SUCCESS", checkpoints=points)), NOW)["spark"]
    assert str(done) == ""
    assert str(row_cells(_view(make_job("e")), NOW)["spark"]) == ""
    assert sparkline([1.0, float("nan"), 1.0]) == "▄▄"
    assert sparkline([3.0, 1.0, 2.0]) == "█▁▅"


def test_content_widths_measure_what_the_cells_show() -> None:
    job = make_job("a", suffix="x" * 50, model="ministral-8b-latest", status="VALIDATED")
    cells = row_cells(_view(job), NOW)
    assert content_widths(job) == (
        len(str(cells["status"])),
        50,
        len("ministral-8b-latest"),
        len(str(cells["model_short"])),
    )


def test_columns_fit_the_width_and_follow_their_content() -> None:
    for width in range(60, 260):
        layout = fit_columns(width, TYPICAL)
        assert layout.keys[:3] == ["status", "id", "name"]
        assert {"progress", "eta"} <= set(layout.keys)
        assert layout.used <= width or width < 64
        if width >= 119:  # a 120-column terminal (one cell for the scrollbar)
            assert layout.width_of("model") == 19
            assert not layout.short_model
            assert {"train", "valid"} <= set(layout.keys)
        if width >= 79:  # something that tells models apart, even at 80 columns
            assert "model" in layout.keys
    narrow = fit_columns(79, TYPICAL)
    assert narrow.short_model
    assert narrow.width_of("model") == 12
    assert fit_columns(200, TYPICAL).keys == [column.key for column in COLUMNS]
    # Widths follow content: the widest name (capped), never the room left over.
    assert fit_columns(200, TYPICAL).width_of("name") == 23
    assert fit_columns(200, {**TYPICAL, "name": 90}).width_of("name") == 40
    assert fit_columns(200, {**TYPICAL, "status": 9}).width_of("status") == 9


@pytest.mark.parametrize("sorted_key", ["status", "model", "progress", "train", "valid", "age"])
def test_the_sort_always_shows_and_notes_cover_no_label(sorted_key: str) -> None:
    for width in range(64, 200, 3):
        layout = fit_columns(width, TYPICAL)
        notes = [badge_note(12, "g")]
        if sorted_key not in layout.keys:  # as the list does: a note only when not shown
            notes.insert(0, sort_note(COLUMN_BY_KEY[sorted_key].label, True))
        line, placed = header_line(layout, width, (sorted_key, True), notes, Style())
        text = line.plain
        assert len(text) == width
        for key in layout.keys:
            x = layout.x_of(key)
            assert x is not None
            assert text[x:].startswith(COLUMN_BY_KEY[key].label[:3])  # no note over a label
        if sorted_key in layout.keys:
            assert "▼" in text[layout.x_of(sorted_key) :]
            assert [note.note.kind for note in placed] == ["badge"]
        else:
            kinds = [note.note.kind for note in placed]
            assert "sort" in kinds
            sort = placed[kinds.index("sort")]
            assert text[sort.x : sort.end] == sort.text
            assert sort.text.endswith(f"{sorted_key}▼") or sort.text.endswith(f"{sorted_key} ▼")


def test_a_wide_header_says_sorted_by_and_the_whole_badge_at_its_right_end() -> None:
    layout = fit_columns(139, TYPICAL)
    layout = type(layout)(layout.columns[:-2], layout.short_model)  # age and type not shown
    notes = [sort_note("Age", False), badge_note(3, "g")]
    line, _placed = header_line(layout, 139, ("age", False), notes, Style())
    assert line.plain.rstrip().endswith("sorted by age ▲")
    assert "▲ 3 new above" in line.plain


def test_names_give_room_for_the_sort_at_the_right_end_when_they_can() -> None:
    room = sort_note_room("Age")
    assert room == len("by age ▼") + 1
    layout = fit_columns(100, TYPICAL, reserve=room)
    assert "age" not in layout.keys
    assert layout.used <= 100 - room
    assert layout.keys == fit_columns(100, TYPICAL).keys  # nothing else given up for it
    line, placed = header_line(layout, 100, ("age", True), [sort_note("Age", True)], Style())
    assert line.plain.endswith("by age ▼")
    assert placed[0].end == 100
    # Not enough name to give: the names keep their width, the note goes between labels.
    tight = fit_columns(79, TYPICAL, reserve=room)
    assert tight == fit_columns(79, TYPICAL)


def test_a_layout_maps_cells_to_columns_and_back() -> None:
    layout = fit_columns(79, TYPICAL)  # the model in its short form
    assert layout.short_model
    progress = layout.x_of("progress")
    assert progress is not None
    assert layout.column_at(progress) == "progress"
    assert layout.column_at(0) is None  # the gutter
    assert layout.column_at(progress - 1) is None  # the gap before it
    assert layout.span_of({"progress", "eta"}) == (progress, layout.used - 1)
    assert layout.span_of({"model_short"}) == (
        layout.x_of("model"),
        (layout.x_of("model") or 0) + 12,
    )
    assert layout.span_of({"age", "type"}) is None  # not shown at this width
