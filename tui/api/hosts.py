"""Which hosts plain HTTP may reach without leaving the machine.

Kept apart from the client so settings can check a URL without importing httpx.
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback_host"]


def is_loopback_host(host: str) -> bool:
    """True for localhost and loopback addresses, where plain HTTP never leaves the machine."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
