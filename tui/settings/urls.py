"""Where the API key may be sent: the base-URL rules, the loopback rule and URL redaction.

The one place these rules live: the settings check a configured URL with them before anything
connects, and the client checks the URL it is given with the same functions.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from tui.errors import InsecureURLError

_DEFAULT_PORTS = {"http": 80, "https": 443}

__all__ = [
    "canonical_server_url",
    "check_insecure_url",
    "is_loopback_host",
    "normalize_server_url",
    "redact_url",
]


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1``, where plain HTTP never leaves the
    machine. Names under ``.localhost`` do not count: they may resolve through DNS."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:127.0.0.1 is not one of the three; Python 3.13 started calling it loopback.
        return False
    return address.is_loopback


def normalize_server_url(value: str) -> str:
    """Check an API base URL and drop a trailing slash or ``/v1`` (finetop adds ``/v1/...``).

    Raises ``ValueError`` with a short reason that never repeats a password from the URL.
    """
    text = value.strip()
    shown = redact_url(text)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise ValueError(f"not a valid URL: {shown!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http:// or https:// URL with a host, got {shown!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"expected a base URL without query or fragment, got {shown!r}")
    path = parts.path.rstrip("/")
    if path.endswith("/v1"):
        path = path[: -len("/v1")]
    return f"{parts.scheme}://{parts.netloc}{path}"


def check_insecure_url(url: str, *, allowed: bool) -> None:
    """Refuse plain HTTP to a host other than this machine unless explicitly allowed."""
    parts = urlsplit(url)
    if parts.scheme == "http" and not allowed and not is_loopback_host(parts.hostname or ""):
        raise InsecureURLError(
            f"refusing plain http:// to {parts.hostname} (the API key would travel unencrypted); "
            "use https://, or pass --insecure-http (insecure_http = true in the config file)"
        )


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (``https://me:***@host``), for printing."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        password = None
        if "@" not in url:
            return url
        # Unparseable but carrying credentials: hide everything before the last "@".
        scheme, _, rest = url.rpartition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}" if scheme else "***@" + rest
    if password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def canonical_server_url(url: str) -> str:
    """The server URL as one spelling: lower-case scheme and host, default port and trailing
    slash dropped, and nothing that may be a secret (user, password, query, fragment).

    ``https://user:pw@API.Mistral.ai:443/?key=x`` -> ``https://api.mistral.ai``.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:  # a malformed port is not worth failing over: it only names a file
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))
