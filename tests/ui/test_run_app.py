"""run_app: mouse flag, colour system, and a clean exit when the terminal goes away."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest
from rich.color import ColorSystem
from textual.filter import Monochrome

from tests.ui.helpers import FakeClient, settings
from tui.app import run as run_module
from tui.app.app import FinetopApp
from tui.app.run import install_signal_handlers, run_app


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


def test_color_system_reaches_the_console() -> None:
    app = FinetopApp(settings(color_system="256"), client=FakeClient())  # type: ignore[arg-type]
    assert app.console._color_system == ColorSystem.EIGHT_BIT
    app = FinetopApp(settings(color_system="standard"), client=FakeClient())  # type: ignore[arg-type]
    assert app.console._color_system == ColorSystem.STANDARD
    app = FinetopApp(settings(color_system="none"), client=FakeClient())  # type: ignore[arg-type]
    assert any(isinstance(f, Monochrome) for f in app._filters)


def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = FinetopApp(settings(), client=FakeClient())  # type: ignore[arg-type]
    assert app.no_color


async def test_animations_are_off() -> None:
    app = FinetopApp(settings(), client=FakeClient())  # type: ignore[arg-type]
    assert app.animation_level == "none"
