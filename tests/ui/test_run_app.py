"""run_app: mouse flag, colour system, and a clean exit when the terminal goes away."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest
from textual.filter import NoColor

from tests.ui.helpers import FakeClient, make_job, settings, wait_for
from tui.app import run as run_module
from tui.app.app import FinetopApp
from tui.app.color_env import color_environment
from tui.app.run import install_signal_handlers, run_app
from tui.app.widgets.job_table import JobTable


def test_no_mouse_and_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run(self: FinetopApp, **kwargs: Any) -> int:
        seen.update(kwargs)
        return 0

    monkeypatch.setattr(FinetopApp, "run", fake_run)
    assert run_app(settings(no_mouse=True)) == 0
    assert seen == {"mouse": False}
    assert run_app(settings()) == 0
    assert seen == {"mouse": True}


def test_signal_handlers_are_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    before = signal.getsignal(signal.SIGHUP)
    monkeypatch.setattr(FinetopApp, "run", lambda self, **kw: 0)
    run_app(settings())
    assert signal.getsignal(signal.SIGHUP) == before


async def test_sighup_asks_the_app_to_exit() -> None:
    codes: list[int] = []

    class FakeApp:
        def exit(self, code: int) -> None:
            codes.append(code)

    undo = install_signal_handlers(FakeApp())  # type: ignore[arg-type]
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(200):
            if codes:
                break
            await asyncio.sleep(0.01)
    finally:
        undo()
    assert codes == [run_module.SIGNAL_EXIT_CODES["SIGHUP"]]


def test_named_colour_systems_reach_textual_through_its_environment() -> None:
    assert color_environment("256") == {"TEXTUAL_COLOR_SYSTEM": "256"}
    assert color_environment("standard") == {"TEXTUAL_COLOR_SYSTEM": "standard"}
    assert color_environment("TrueColor") == {"TEXTUAL_COLOR_SYSTEM": "truecolor"}
    assert color_environment("auto") == {}
    assert color_environment("none") == {}  # the app strips colours itself


@pytest.mark.parametrize("no_color_env", [False, True])
async def test_without_colours_every_colour_is_stripped_and_the_cursor_is_reversed(
    monkeypatch: pytest.MonkeyPatch, no_color_env: bool
) -> None:
    if no_color_env:
        monkeypatch.setenv("NO_COLOR", "1")
        app = FinetopApp(settings(), client=FakeClient([make_job("a")]))  # type: ignore[arg-type]
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
        app = FinetopApp(
            settings(color_system="none"),
            client=FakeClient([make_job("a")]),  # type: ignore[arg-type]
        )
    assert sum(isinstance(f, NoColor) for f in app.get_line_filters()) == 1
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.main_screen.query_one(JobTable)
        await wait_for(lambda: table.row_count == 1, pilot)
        styles = [segment.style for segment in table.render_line(1) if segment.style]
        assert any(style.reverse for style in styles)


def test_colours_stay_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = FinetopApp(settings(), client=FakeClient())  # type: ignore[arg-type]
    assert not any(isinstance(f, NoColor) for f in app.get_line_filters())


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = FinetopApp(settings(), client=FakeClient())  # type: ignore[arg-type]
    assert app.no_color


async def test_animations_are_off() -> None:
    app = FinetopApp(settings(), client=FakeClient())  # type: ignore[arg-type]
    assert app.animation_level == "none"
