"""Theme files: the bundled ones load and apply, broken ones are reported and skipped."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.api.convert import parse_job
from tui.app.themes import (
    ANSI_THEME,
    BUNDLED_THEMES,
    DEFAULT_THEME,
    bundled_themes_dir,
    load_theme_file,
    load_themes,
    register_themes,
    user_themes_dir,
)
from tui.app.widgets.detail_pane import DetailPane

FIXTURES = Path(__file__).parents[1] / "fixtures"

GOOD = """
name = "{name}"
dark = true
primary = "#FA500F"
"""


class ThemedApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")


def test_bundled_themes_load_without_problems() -> None:
    themes, problems = load_themes(include_user_dir=False)
    assert problems == []
    assert sorted(t.name for t in themes) == sorted(BUNDLED_THEMES)
    by_name = {t.name: t for t in themes}
    assert by_name["finetop"].primary.upper() == "#FA500F"
    assert by_name["finetop"].dark is True
    assert by_name["finetop-light"].dark is False
    assert by_name["finetop-high-contrast"].background == "#000000"
    assert by_name["finetop"].variables["footer-key-foreground"] == "#FA500F"


def test_bundled_dir_is_found_in_a_checkout() -> None:
    directory = bundled_themes_dir()
    assert directory is not None
    assert (directory / "finetop.toml").is_file()


async def test_bundled_themes_register_and_switch() -> None:
    app = ThemedApp()
    async with app.run_test(size=(40, 10)) as pilot:
        themes, problems = load_themes(include_user_dir=False)
        assert problems == []
        names = register_themes(app, themes)
        assert set(names) == set(BUNDLED_THEMES)
        for name in (*BUNDLED_THEMES, ANSI_THEME, "ansi-light", "textual-dark"):
            app.theme = name
            await pilot.pause()
            assert app.theme == name
            assert app.current_theme.name == name
        app.theme = DEFAULT_THEME
        await pilot.pause()
        assert app.current_theme.primary.upper() == "#FA500F"
        # The theme's colours reach the CSS variables.
        shown = Color.parse(app.theme_variables["primary"])
        assert all(abs(a - b) <= 1 for a, b in zip(shown.rgb, (0xFA, 0x50, 0x0F), strict=True))


def test_bad_file_is_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(GOOD.format(name="mine"), encoding="utf-8")
    (tmp_path / "x.toml").write_text('name = "x"\nprimary = "blorange"\n', encoding="utf-8")
    themes, problems = load_themes([tmp_path], include_bundled=False, include_user_dir=False)
    assert [t.name for t in themes] == ["mine"]
    assert len(problems) == 1
    assert problems[0].endswith("x.toml: primary: not a colour: 'blorange'")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name = "x"\nprimary = "#fff"\nprimay = "#000"\n', "primay: unknown key"),
        ('primary = "#fff"\n', "name: missing (required)"),
        ('name = "x"\n', "primary: missing (required)"),
        ('name = ""\nprimary = "#fff"\n', "name: must be a non-empty string"),
        ('name = "x"\nprimary = 12\n', "primary: must be a colour string, got 12"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"\n', "dark: must be true or false"),
        ('name = "x"\nprimary = "#fff"\nvariables = 3\n', "variables: must be a table"),
        (
            'name = "x"\nprimary = "#fff"\n[variables]\nborder = 1\n',
            "variables.border: must be a string",
        ),
        ('name = "x"\nprimary = "#fff"\ntext_alpha = "a"\n', "text_alpha: must be a number"),
        ('name = "x\nprimary = "#fff"\n', "not valid TOML"),
    ],
)
def test_validation_problems_are_one_line_each(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    theme, problems = load_theme_file(path)
    assert theme is None
    assert problems
    assert all("\n" not in p for p in problems)
    assert any(problem in p for p in problems), problems
    assert all("bad.toml: " in p for p in problems)


def test_non_utf8_and_unreadable_files_do_not_crash(tmp_path: Path) -> None:
    (tmp_path / "binary.toml").write_bytes(b"\xff\xfe\x00name")
    (tmp_path / "dir.toml").mkdir()  # not a file: ignored
    themes, problems = load_themes([tmp_path], include_bundled=False, include_user_dir=False)
    assert themes == []
    assert len(problems) == 1
    assert "binary.toml: not UTF-8 text" in problems[0]


def test_user_dir_overrides_a_bundled_theme_by_name(tmp_path: Path) -> None:
    user_dir = user_themes_dir()  # under the test's temporary HOME (see conftest)
    user_dir.mkdir(parents=True)
    (user_dir / "finetop.toml").write_text(
        'name = "finetop"\ndark = true\nprimary = "#00FF00"\n', encoding="utf-8"
    )
    (tmp_path / "extra.toml").write_text(GOOD.format(name="extra"), encoding="utf-8")
    themes, problems = load_themes([tmp_path])
    assert problems == []
    by_name = {t.name: t for t in themes}
    assert by_name["finetop"].primary == "#00FF00"
    assert "extra" in by_name
    assert "finetop-light" in by_name


def test_missing_directories_are_fine(tmp_path: Path) -> None:
    themes, problems = load_themes(
        [tmp_path / "nope"], include_bundled=False, include_user_dir=True
    )
    assert themes == []
    assert problems == []


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield DetailPane(tz=UTC)


def color_of(app: App[None], text: str) -> tuple[int, int, int] | None:
    """The foreground colour the screen draws ``text`` in."""
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if segment.text.strip() == text and segment.style and segment.style.color:
                triplet = segment.style.color.get_truecolor()
                return (triplet.red, triplet.green, triplet.blue)
    return None


async def test_switching_theme_recolours_the_detail_pane() -> None:
    job = parse_job((FIXTURES / "job-detail-completion-100-steps-2024-05-docs.json").read_bytes())
    app = PaneApp()
    async with app.run_test(size=(90, 50)) as pilot:
        register_themes(app, load_themes(include_user_dir=False)[0])
        app.query_one(DetailPane).show_job(job, now=job.modified_at)
        seen = {}
        for name in ("finetop", "finetop-light", "finetop-high-contrast"):
            app.theme = name
            await pilot.pause()
            seen[name] = color_of(app, "Overview")
            primary = Color.parse(app.current_theme.primary)
            assert seen[name] is not None
            assert all(abs(a - b) <= 1 for a, b in zip(seen[name], primary.rgb, strict=True))
        assert len(set(seen.values())) == 3
