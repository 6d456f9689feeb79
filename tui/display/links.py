"""Which URLs from a server may become a link or be handed to a browser.

A W&B URL comes from the job's integration, which anyone who can create jobs controls. Only an
``http``/``https`` URL with a host and without whitespace or control characters is opened or
made into a terminal hyperlink (OSC 8); anything else is shown as inert text, with a one-line
reason. Nothing that starts with ``-`` is ever handed on: a browser would read it as an option.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import attrs

__all__ = ["LINK_LIMIT", "LinkCheck", "check_link"]

LINK_LIMIT = 2_048
"""The longest URL made into a link."""


@attrs.frozen
class LinkCheck:
    """The verdict on one URL: ``url`` when it may be opened, else ``reason`` says why not."""

    url: str | None
    """The URL, safe to open or link; ``None`` when it is not."""
    reason: str | None = None
    """Why the URL is not opened (one line), when it is not."""

    @property
    def ok(self) -> bool:
        """Whether the URL may be opened or linked."""
        return self.url is not None


def check_link(url: str | None) -> LinkCheck:
    """Whether ``url`` may be opened in a browser or written as an OSC 8 link."""
    if not url:
        return LinkCheck(None, "no URL")
    if len(url) > LINK_LIMIT:
        return LinkCheck(None, f"the URL is longer than {LINK_LIMIT} characters")
    if url.startswith("-"):
        return LinkCheck(None, "the URL starts with '-'")
    if any(char.isspace() or not char.isprintable() for char in url):
        return LinkCheck(None, "the URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return LinkCheck(None, "the URL cannot be parsed")
    if parts.scheme.lower() not in ("http", "https"):
        scheme = parts.scheme or "no scheme"
        return LinkCheck(None, f"only http and https links are opened (this one is {scheme})")
    if not host:
        return LinkCheck(None, "the URL has no host")
    return LinkCheck(url)
