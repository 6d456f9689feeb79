"""``f8``: an SVG screenshot in finetop's screenshots folder, and a notice saying where.

Screenshots go to the user data directory (``~/.local/share/finetop/screenshots`` on Linux,
created for the user alone, 0700), not the directory finetop happened to be started from: a
screen holds job names and workspace details. The app can name another folder (tests do).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App

from tui.settings.places import screenshots_directory
from tui.settings.private import ensure_private_directory

__all__ = ["Screenshots"]


class Screenshots:
    """Saves the app's screen as SVG and says where."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app

    def take(self, filename: str | None, directory: str | Path | None) -> None:
        """Save the screen as SVG in ``directory`` (default: the screenshots folder) and notify
        the file's full path, or why it could not be saved."""
        folder = Path(directory) if directory else screenshots_directory()
        try:
            if directory:
                folder.mkdir(parents=True, exist_ok=True)
            else:
                ensure_private_directory(folder)
            saved = self.app.save_screenshot(filename, path=str(folder))
        except OSError as error:
            self.app.notify(
                f"Could not save the screenshot in {folder}: {error.strerror or error}",
                title="Screenshot",
                severity="error",
            )
            return
        self.app.notify(f"Saved {saved}", title="Screenshot", timeout=5)
