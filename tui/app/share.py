"""What ``y``, ``Y`` and ``o`` do with server text: copy it safely, open only checked links.

- A value goes on the clipboard (OSC 52) only if :func:`~tui.display.text.clipboard_text` finds
  it fit to paste: one line, no control character (a pasted newline runs a command). The notice
  says what was copied, since OSC 52 may be dropped silently (tmux's default), or why not.
- A W&B URL is opened, or copied where no browser is reachable, only if
  :func:`~tui.display.links.check_link` passes it: ``http(s)``, no control character, never a
  leading ``-`` a browser would read as an option. Anything else is shown as inert text with
  the reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from textual.app import App

from tui.api.models import Job
from tui.app.actions import browser_available
from tui.display.links import check_link
from tui.display.text import clipboard_text, safe_text

__all__ = ["TMUX_CLIPBOARD_HINT", "Share"]

TMUX_CLIPBOARD_HINT = "In tmux, copying needs: set -g set-clipboard on"
"""Said after a copy inside tmux, whose default may drop OSC 52 silently."""


class Share:
    """Copies and opens for one app (its notices are the app's, plain)."""

    def __init__(
        self,
        app: App[Any],
        *,
        open_url: Callable[[str], object],
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.app = app
        """Whose clipboard, notices and workers these are."""
        self.open_url = open_url
        """Hands a URL to a browser (``webbrowser.open``; a recorder in tests)."""
        self.environ = environ
        """The environment to judge by (``os.environ`` when ``None``)."""

    def copy(self, what: str, value: str, *, title: str = "") -> None:
        """Put ``value`` on the clipboard if it is fit to paste; say what was copied, or why
        not (``what`` names it: "job id", "model")."""
        text = clipboard_text(value)
        if text is None:
            self.app.notify(
                f"Not copied: the {what} holds line breaks or control characters, or is too "
                f"long to paste safely\n{safe_text(value)}",
                title=title,
                severity="warning",
                timeout=6,
            )
            return
        self.app.copy_to_clipboard(text)
        environ = os.environ if self.environ is None else self.environ
        hint = f"\n{TMUX_CLIPBOARD_HINT}" if environ.get("TMUX") else ""
        self.app.notify(f"Copied {what} {text}{hint}", title=title, timeout=6)

    def open_wandb(self, job: Job) -> None:
        """Open the job's W&B run in a browser, or copy its URL when none is reachable."""
        wandb = job.wandb
        if wandb is None:
            self.app.notify("This job has no W&B integration", timeout=3)
            return
        if not wandb.url:
            self.app.notify("The W&B URL appears once the job is RUNNING", timeout=3)
            return
        check = check_link(wandb.url)
        if check.url is None:
            self.app.notify(
                f"Not opened: {check.reason}\n{safe_text(wandb.url)}",
                title="W&B run",
                severity="warning",
                timeout=8,
            )
            return
        if browser_available(self.environ):
            # webbrowser.open may block while it launches a browser: a thread of its own.
            self.app.run_worker(
                partial(self._open, check.url), group="browser", thread=True, exit_on_error=False
            )
        else:
            self.copy("W&B URL", check.url, title="W&B run (no browser reachable from here)")

    def _open(self, url: str) -> None:
        self.open_url(url)
        self.app.call_from_thread(self.app.notify, f"Opened {url}", timeout=4)
