"""The defaults of the bounds on what a server can make finetop do, in one place.

The settings offer each as an option (``finetop config`` shows them), the client and the poller
start from them. They sit below every other layer so that all of them read the same numbers.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_CACHE_MAX_MIB",
    "DEFAULT_MAX_LIST_PAGES",
    "DEFAULT_MAX_RESPONSE_MIB",
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_REQUEST_BUDGET",
    "DEFAULT_REQUEST_DEADLINE",
]

DEFAULT_MAX_RESPONSE_MIB = 64.0
"""Largest response body, on the wire and decompressed (a detail with thousands of checkpoints
is a few MiB)."""
DEFAULT_REQUEST_DEADLINE = 60.0
"""Seconds for one whole request: connect, headers and the entire body."""
DEFAULT_MAX_LIST_PAGES = 200
"""Pages per listing of every job: 20,000 jobs at the API's page size of 100."""
DEFAULT_MAX_RETRY_AFTER = 900.0
"""Longest wait a server's Retry-After can impose, in seconds (15 min)."""
DEFAULT_CACHE_MAX_MIB = 200.0
"""Size cap of one local history file, in MiB; the least recently seen jobs go beyond it."""
DEFAULT_REQUEST_BUDGET = 30.0
"""Requests per minute, counting all the poller makes, that the background history fill keeps
within (rate limits are per organisation and per minute)."""
