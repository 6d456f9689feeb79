"""Where the poller's requests go through: the source, the in-flight limit and the cycle's fate.

Within one poll cycle, the first failure that concerns the whole API (429, 5xx, transport,
auth) stops the requests not yet sent: the poller then backs off as a whole.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from tui.api.errors import ApiError
from tui.api.models import JobDetails, JobsPage
from tui.errors import ErrorKind, FinetopError
from tui.monitor.budget import RequestWindow

__all__ = ["JobSource", "PollAborted", "RequestGate"]

_log = logging.getLogger(__name__)

_T = TypeVar("_T")


class JobSource(Protocol):
    """What the poller needs from the API client (``MistralClient`` fits)."""

    async def list_jobs(self, *, page: int = 0, page_size: int = 100) -> JobsPage:
        """One page of the job list, newest first."""
        ...

    async def get_job(self, job_id: str) -> JobDetails:
        """One job with its events and checkpoints."""
        ...


class PollAborted(Exception):
    """Raised inside a cycle once a global failure was recorded: skip remaining requests."""


class RequestGate:
    """Sends requests to the source, at most ``max_in_flight`` at once, and keeps the tally of
    the cycle under way: its backing-off error, if any, and how many answers worked."""

    def __init__(
        self, source: JobSource, max_in_flight: int, window: RequestWindow | None = None
    ) -> None:
        self.source = source
        """Where jobs come from."""
        self.window = window
        """Where each request's time is noted (for the request budget), if anywhere."""
        self.requests = 0
        """Requests made so far."""
        self.error: FinetopError | None = None
        """The failure that backs this cycle off (``None``: none so far)."""
        self.successes = 0
        """Answers that worked in this cycle."""
        self._semaphore = asyncio.Semaphore(max_in_flight)

    def begin_cycle(self) -> None:
        """Start a new tally."""
        self.error = None
        self.successes = 0

    def answered(self) -> None:
        """Count an error answer that still proves the link works (a 404: the job is gone)."""
        self.successes += 1

    def check(self) -> None:
        """Raise :class:`PollAborted` once the cycle has failed."""
        if self.error is not None:
            raise PollAborted

    async def send(
        self,
        request: Callable[[JobSource], Awaitable[_T]],
        *,
        own_errors: tuple[type[FinetopError], ...] = (),
    ) -> _T:
        """``request(source)``, counted as a success when it returns.

        Errors in ``own_errors`` concern one job only: they reach the caller untouched. Any other
        error fails the cycle and raises :class:`PollAborted`, as does sending after a failure.
        """
        self.check()
        async with self._semaphore:
            # Checked again: the cycle may have failed while this request waited for a slot.
            self.check()
            self.requests += 1
            if self.window is not None:
                self.window.note()
            try:
                result = await request(self.source)
            except own_errors:
                raise
            except FinetopError as error:
                self.fail(error)
                raise PollAborted from error
            except Exception as error:
                self.fail(_unexpected(error))
                raise PollAborted from error
            self.successes += 1
            return result

    def fail(self, error: FinetopError) -> None:
        """Record a failure that backs the whole poller off (the first one of a cycle wins,
        except that a 429 always wins: its Retry-After must be honoured)."""
        if self.error is None or (
            error.kind is ErrorKind.RATE_LIMITED and self.error.kind is not ErrorKind.RATE_LIMITED
        ):
            self.error = error


def _unexpected(error: Exception) -> ApiError:
    """An exception the client should have typed: logged, then backed off like a server error,
    because the poller never stops over one request."""
    _log.error("unexpected error while polling", exc_info=error)
    return ApiError(f"unexpected {type(error).__name__}: {error}")
