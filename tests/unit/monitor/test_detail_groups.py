"""The detail groups, built once in the core and rendered twice: by ``finetop show`` as plain
text and by the app's detail pane as Textual ``Content``. Both must say the same thing, and
nothing a server sent may reach either raw."""

from __future__ import annotations

import time
from datetime import UTC
from pathlib import Path

import attrs
import pytest
from support.hostile import BIDI, HOSTILE, MARKUP, deep_data, detail_payload, find_leaks

from tui.api.convert import parse_job, parse_job_list_item
from tui.api.models import ClassifierTarget, Event, JobDetails, WandbIntegration
from tui.app.widgets import detail_sections as sections
from tui.display.formats import MISSING
from tui.display.text import TEXT_LIMIT, is_clean
from tui.headless.show import render_job
from tui.monitor import detail_groups as groups
from tui.monitor.detail_groups import Layout, Piece, Times, Tone

FIXTURES = Path(__file__).parents[2] / "fixtures"
ALL_JOB_FIXTURES = sorted(p.name for p in FIXTURES.glob("job-*.json"))


def load(name: str) -> JobDetails:
    return parse_job((FIXTURES / name).read_bytes())


def every_piece(job: JobDetails, times: Times, names: dict[str, str]) -> list[Piece]:
    found = list(groups.header(job))
    for group in groups.detail_groups(job, times, names.get):
        found += group.note
        for row in group.rows:
            found += row.pieces
    return found


@pytest.mark.parametrize("name", ALL_JOB_FIXTURES)
def test_both_renderings_say_the_same_for_every_real_payload(name: str) -> None:
    job = load(name)
    now = job.modified_at + 90
    names = {file_id: f"{file_id[:4]}.jsonl" for file_id in job.training_files}
    printed = render_job(job, now=now, file_names=names)
    # The pane's sections at an unknown width (no wrapping), in UTC with the same suffix.
    times = Times(now, UTC, " UTC")
    shown = [sections.pieces_content(groups.header(job)).plain]
    for group in groups.detail_groups(job, times, names.get):
        content = sections.group_content(group, 0)
        assert content is not None
        shown += ["", *(line.rstrip() for line in content.plain.splitlines())]
        if group.layout is Layout.TABLE:
            for checkpoint in job.checkpoints_by_step:
                cells = groups.checkpoint_cells(checkpoint, times)
                printed_row = next(
                    line for line in printed if line.strip().startswith(cells[0] + " ")
                )
                assert printed_row.split() == " ".join(cells).split()
    # The plain text of every group is the printed text, line for line (the table aside).
    table_at = printed.index(next(line for line in printed if line.startswith("Checkpoints")))
    assert shown == printed[: table_at + 1]
    assert "None" not in "\n".join(printed)


def test_the_app_styles_what_the_core_marks() -> None:
    url = "https://wandb.ai/acme/ft/runs/abc"
    job = attrs.evolve(
        load("job-detail-completion-100-steps-2024-05-docs.json"),
        integrations=(WandbIntegration(project="ft", url=url),),
    )
    pieces = every_piece(job, Times(job.modified_at, UTC), {})
    links = [p for p in pieces if p.tone is Tone.LINK]
    assert [p.link for p in links] == [url]
    statuses = {p.status for p in pieces if p.tone is Tone.STATUS}
    assert statuses == {"SUCCESS", "QUEUED", "RUNNING"}
    content = sections.group_content(groups.integrations(job), 0)
    assert content is not None
    assert [span.style.link for span in content.spans if hasattr(span.style, "link")] == [url]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("--proxy-server=evil:1", "starts with '-'"),
        (f"https://wandb.ai/{BIDI}", "spaces or control"),
    ],
)
def test_a_url_that_may_not_be_opened_is_inert_text_with_its_reason(url: str, reason: str) -> None:
    job = attrs.evolve(
        load("job-detail-completion-100-steps-2024-05-docs.json"),
        integrations=(WandbIntegration(project="ft", url=url),),
    )
    group = groups.integrations(job)
    row = next(row for row in group.rows if row.label == "url")
    assert all(piece.tone is not Tone.LINK and piece.link is None for piece in row.pieces)
    assert row.text.startswith(url[:10])
    assert "(not a link: " in row.text
    assert reason in row.text
    content = sections.group_content(group, 0)
    assert content is not None
    assert not any(getattr(span.style, "link", None) for span in content.spans)


def test_every_server_string_arrives_safe_and_cut() -> None:
    job = parse_job(detail_payload("job-1", HOSTILE))
    times = Times(job.modified_at, UTC)
    names = {"job-1-train": HOSTILE}
    pieces = every_piece(job, times, names)
    assert pieces
    for piece in pieces:
        assert is_clean(piece.text), piece
    for group in groups.detail_groups(job, times, names.get):
        for row in group.rows:
            assert is_clean(row.label), row.label
            assert len(row.label) <= groups.LABEL_LIMIT
    # The model keeps the whole value; the screen gets a cut one.
    assert job.suffix == HOSTILE
    suffix = next(row for row in groups.overview(job, times).rows if row.label == "suffix")
    assert len(suffix.text) <= TEXT_LIMIT
    printed = "\n".join(render_job(job, now=times.now, file_names=names))
    assert "\x1b" not in printed
    assert find_leaks(printed) == []


def test_markup_is_text_in_both_renderings() -> None:
    job = attrs.evolve(
        load("job-detail-completion-100-steps-2024-05-docs.json"), suffix=MARKUP, model=MARKUP
    )
    printed = "\n".join(render_job(job, now=job.modified_at))
    assert f"suffix            {MARKUP}" in printed
    content = sections.overview(job, now=job.modified_at, tz=UTC, width=0)
    assert f"suffix            {MARKUP}" in content.plain
    assert not any(getattr(span.style, "meta", None) for span in content.spans)
    assert sections.header(job).plain.endswith(MARKUP)


def test_huge_values_cost_what_short_ones_do() -> None:
    huge = "y" * 100_000
    job = parse_job(detail_payload("job-1", huge, depth=3))
    job = attrs.evolve(job, events=(Event(name=huge, created_at=1, data={"error": huge}),))
    start = time.perf_counter()
    printed = render_job(job, now=10.0, file_names={"job-1-train": huge})
    assert time.perf_counter() - start < 2.0  # a bound on work, not a benchmark
    assert max(len(line) for line in printed) < 1_000


def test_deep_event_data_is_bounded_not_recursed() -> None:
    event = Event(name="status-updated", created_at=1, data=deep_data(5_000, "oom"))
    detail = groups.event_detail(event)
    assert detail.startswith("error={error={")
    assert "…" in detail
    assert len(detail) <= TEXT_LIMIT


def test_a_target_with_thousands_of_labels_lists_the_first_few() -> None:
    job = parse_job(detail_payload("job-1", "t", job_type="classifier"))
    target = ClassifierTarget(name="intent", labels=tuple(f"label-{i}" for i in range(10_000)))
    group = groups.targets(attrs.evolve(job, classifier_targets=(target,)))
    assert group is not None
    labels = next(row for row in group.rows if row.label == "labels").text
    assert labels.startswith("10000: label-0, label-1")
    assert labels.endswith(f"… {10_000 - groups.LIST_LIMIT} more")


def test_event_data_besides_the_status_is_shown() -> None:
    job = attrs.evolve(
        load("job-detail-completion-10-steps-2024-07.json"),
        events=(
            Event(name="status-updated", created_at=1, data={"status": "FAILED", "error": "OOM"}),
        ),
    )
    (row,) = groups.events(job, Times(100.0, UTC)).rows
    assert row.text == "1970-01-01 00:00:01  status-updated  ✘ FAILED  error=OOM  1m ago"


@pytest.mark.parametrize(
    ("status", "validation_files", "note"),
    [
        ("SUCCESS", (), "no validation set"),
        ("RUNNING", None, "not evaluated yet"),
        ("SUCCESS", ("v",), "not evaluated"),
        ("CANCELLED", ("v",), "not evaluated"),
        ("RUNNING", ("v",), "not evaluated yet"),
    ],
)
def test_the_validation_note_never_says_yet_of_a_finished_job(
    status: str, validation_files: tuple[str, ...] | None, note: str
) -> None:
    job = attrs.evolve(
        load("job-detail-completion-pixtral-69-steps-2025-07.json"),
        status=status,
        validation_files=validation_files,
    )
    assert groups.validation_note(job) == note
    assert groups.checkpoints(job).note == (Piece(f"  69, 0 evaluated ({note})", Tone.MUTED),)


def test_a_list_item_says_its_detail_is_coming() -> None:
    item = parse_job_list_item(
        {
            k: v
            for k, v in detail_payload("job-1", "n").items()
            if k not in ("events", "checkpoints")
        }
    )
    times = Times(item.modified_at, UTC)
    (events_row,) = groups.events(item, times).rows
    assert events_row.text == "no events yet: they come with the job's detail"
    assert groups.checkpoints(item).note[0].text == f"  {groups.NOT_LOADED}"
    progress = {row.label: row.text for row in groups.progress(item, times).rows}
    assert progress["rate"] == MISSING


def test_only_plausible_file_ids_are_looked_up() -> None:
    job = attrs.evolve(
        load("job-detail-completion-100-steps-2024-05-docs.json"),
        training_files=("file-a", "y" * 100_000, "file\x1b]0;x", "has space", "", "file-a"),
        validation_files=tuple(f"v-{i}" for i in range(100)),
    )
    ids = groups.named_file_ids(job)
    assert ids[0] == "file-a"
    assert ids[1:4] == ("v-0", "v-1", "v-2")
    assert len(ids) == groups.FILE_LOOKUPS


def test_a_piece_cannot_hold_a_control_character_whoever_builds_it() -> None:
    assert Piece("a\x1b]52;c;QQ==\x07\u202eb").text == "a␛]52;c;QQ==␇<U+202E>b"
    assert groups.Row("x\ny", ()).label == "x␊y"
    assert Piece("plain [/] text").text == "plain [/] text"
