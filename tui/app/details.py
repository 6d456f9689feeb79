"""Asking for job details the user looks at besides the selected job (runs compared).

Screens and widgets never fetch: they tell the app which jobs they show, and the poller
fetches the detail bodies not held yet (once each), through the same path as its polls. The
answers arrive as ``JobsChanged`` like any other poll's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app.host import ScreenHost

__all__ = ["want_details"]


def want_details(host: ScreenHost, job_ids: Iterable[str]) -> None:
    """Have the detail of each of ``job_ids`` fetched unless held (replaces the last request).

    Before the connection is up there is no poller: the caller asks again on its next refresh.
    """
    poller = host.poller
    if poller is not None:
        poller.want_details(job_ids)
