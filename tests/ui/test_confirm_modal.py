"""ConfirmModal: "No" first and focused; enter on it answers no, ``y`` answers yes."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Button, Static

from tui.app.screens.confirm import ConfirmModal


class AskingApp(App[None]):
    """Pushes one ConfirmModal and records the answer."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[bool | None] = []

    def compose(self) -> ComposeResult:
        yield Static("jobs")

    def ask(self) -> None:
        self.push_screen(
            ConfirmModal(
                "Cancel job?", "Cancel job 2813b7e6? Training stops.", yes_label="Cancel job"
            ),
            self.answers.append,
        )


async def test_no_is_first_and_focused_and_enter_answers_no() -> None:
    app = AskingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.ask()
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ConfirmModal)
        buttons = list(modal.query(Button))
        assert [b.id for b in buttons] == ["no", "yes"]
        assert str(buttons[0].label) == "No"
        assert str(buttons[1].label) == "Cancel job"
        assert app.focused is buttons[0]
        assert "Cancel job 2813b7e6? Training stops." in str(
            modal.query_one("#confirm-message", Static).content
        )
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [False]
        assert not isinstance(app.screen, ConfirmModal)


async def test_y_answers_yes() -> None:
    app = AskingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.ask()
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.answers == [True]


async def test_n_and_escape_answer_no() -> None:
    app = AskingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("n", "escape"):
            app.ask()
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
        assert app.answers == [False, False]


async def test_switching_to_yes_then_enter_answers_yes() -> None:
    app = AskingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.ask()
        await pilot.pause()
        await pilot.press("right")
        assert app.focused is not None
        assert app.focused.id == "yes"
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [True]


async def test_clicking_buttons() -> None:
    app = AskingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.ask()
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        app.ask()
        await pilot.pause()
        await pilot.click("#no")
        await pilot.pause()
        assert app.answers == [True, False]


async def test_the_focused_button_is_marked_without_reversing_it() -> None:
    app = AskingApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.ask()
        await pilot.pause()
        modal = app.screen
        no_button, yes_button = list(modal.query(Button))
        focused = no_button.styles
        assert not focused.text_style.reverse
        assert focused.text_style.bold
        assert focused.text_style.underline
        edge, accent = focused.border_top[1], app.current_theme.to_color_system().accent
        assert focused.border_top[0] == "tall"
        assert max(abs(a - b) for a, b in zip(edge.rgb, accent.rgb, strict=True)) <= 2
        assert not yes_button.styles.text_style.underline
