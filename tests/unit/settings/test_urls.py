"""Where the key may go: loopback hosts, base-URL rules and redacted URLs."""

from __future__ import annotations

import pytest

from tui.errors import InsecureURLError
from tui.settings.urls import (
    check_insecure_url,
    is_loopback_host,
    normalize_server_url,
    redact_url,
)


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "127.0.0.1",
        "127.8.9.10",
        "127.255.255.254",
        "::1",
        "[::1]",
        "0:0:0:0:0:0:0:1",
    ],
)
def test_loopback_hosts(host: str) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    [
        "evil.localhost",
        "localhost.example.com",
        "10.0.0.1",
        "0.0.0.0",
        "::",
        "example.com",
        "",
        # Only localhost, 127.0.0.0/8 and ::1: no IPv4-mapped form (whatever the Python version
        # thinks of it), no shorthand or integer spelling that some resolvers accept.
        "::ffff:127.0.0.1",
        "[::ffff:7f00:1]",
        "127.1",
        "2130706433",
        "128.0.0.1",
    ],
)
def test_other_hosts_are_not_loopback(host: str) -> None:
    # Names under .localhost may resolve through DNS: they do not count.
    assert not is_loopback_host(host)


def test_plain_http_is_refused_beyond_loopback_unless_allowed() -> None:
    check_insecure_url("http://127.0.0.1:8000", allowed=False)
    check_insecure_url("http://example.com", allowed=True)
    with pytest.raises(InsecureURLError, match=r"example\.com"):
        check_insecure_url("http://example.com", allowed=False)
    with pytest.raises(InsecureURLError):
        check_insecure_url("http://app.localhost:8000", allowed=False)


def test_base_urls_are_normalized() -> None:
    assert normalize_server_url(" https://api.mistral.ai/v1/ ") == "https://api.mistral.ai"
    with pytest.raises(ValueError, match="http"):
        normalize_server_url("ftp://x")


def test_errors_about_a_url_never_repeat_its_password() -> None:
    with pytest.raises(ValueError, match="expected an http") as caught:
        normalize_server_url("ftp://me:hunter2@host")
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://me:hunter2@proxy.example:8443/v1", "https://me:***@proxy.example:8443/v1"),
        ("https://:hunter2@host", "https://:***@host"),
        ("https://host/path", "https://host/path"),
        ("https://me@host", "https://me@host"),
        ("https://me:hunter2@[::1", "https://***@[::1"),
    ],
)
def test_redacted_urls_hide_passwords(url: str, shown: str) -> None:
    assert redact_url(url) == shown
