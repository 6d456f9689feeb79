"""Walking the pages of the job list, within a page budget, and what a walk brought back.

A server claims a ``total``; a broken or hostile one may claim 10^12 and serve full pages
forever. ``JobPaging`` decides page by page whether to go on: until ``total`` jobs were seen, a
page comes back empty, or the budget (``max_pages``) is spent, in which case the listing is
*truncated*: what was read is kept and the caller says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import attrs

from tui.api.models import Job, JobsPage

__all__ = ["JobListing", "JobPaging"]

_SLACK_PAGES = 2
"""Pages past ``total / page_size`` still read: jobs created while paging shift items down."""


@attrs.define
class JobPaging:
    """The state of one walk through the pages; ask ``next_page()``, then ``record()`` it."""

    page_size: int
    """Jobs per page asked for."""
    max_pages: int
    """Pages read at most."""
    pages: int = 0
    """Pages read so far."""
    seen: int = 0
    """Jobs received so far (duplicates included)."""
    total: int | None = None
    """The total the server claimed on the first page."""
    done: bool = False
    """The listing ended on its own: every job seen, or an empty page."""

    def next_page(self) -> int | None:
        """The number of the page to fetch next; ``None`` when the walk is over."""
        if self.done or self.pages >= self.max_pages:
            return None
        natural = None if self.total is None else self.total // max(1, self.page_size)
        if natural is not None and self.pages >= natural + _SLACK_PAGES:
            return None
        return self.pages

    def record(self, page: JobsPage) -> None:
        """Count a page that came back."""
        if self.total is None:
            self.total = max(0, page.total)
        self.pages += 1
        self.seen += len(page.data)
        if not page.data or self.seen >= self.total:
            self.done = True

    @property
    def truncated(self) -> bool:
        """The budget ran out while the server still claimed more jobs."""
        return not self.done and self.next_page() is None and self.pages >= self.max_pages


@attrs.frozen
class JobListing(Sequence[Job]):
    """The jobs of a listing, newest first and each once; a sequence of them.

    ``truncated`` says the page budget ran out first; ``claimed_total`` is what the server said.
    """

    jobs: tuple[Job, ...]
    """The jobs read."""
    claimed_total: int
    """The ``total`` the server claimed (may be anything when the server is broken)."""
    truncated: bool = False
    """The listing stopped at the page budget while the server claimed more."""

    @overload
    def __getitem__(self, index: int) -> Job: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Job]: ...
    def __getitem__(self, index: int | slice) -> Job | Sequence[Job]:
        return self.jobs[index]

    def __len__(self) -> int:
        return len(self.jobs)

    def __iter__(self) -> Iterator[Job]:
        return iter(self.jobs)
