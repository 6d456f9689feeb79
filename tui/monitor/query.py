"""What the job table asks the store for: a filter and a sort order.

Kept apart from the store so the app can build, parse and show them without touching the data.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

import attrs

from tui.api.models import JobKind, StatusGroup

if TYPE_CHECKING:
    from tui.monitor.job_view import JobView

__all__ = ["JobFilter", "SortColumn", "SortSpec"]


@attrs.frozen
class JobFilter:
    """Which jobs to show. The empty filter shows everything.

    ``text`` is matched, case-insensitively, against each job's id, model, suffix and fine-tuned
    model; whitespace-separated words must all match. A leading ``!`` in ``text`` (or
    ``invert=True``) shows the jobs that do *not* match instead; both together cancel out.
    """

    text: str = ""
    """The filter text as typed (may start with ``!``)."""
    invert: bool = False
    """Show the jobs the text does not match."""
    groups: frozenset[StatusGroup] = frozenset()
    """Status groups to show; empty means all."""
    job_kind: JobKind | None = None
    """Only this kind of job (completion, classifier, other); ``None`` means all."""

    @property
    def terms(self) -> tuple[str, ...]:
        """The lowercase words of ``text``, without a leading ``!``."""
        return tuple(self._body.lower().split())

    @property
    def inverted(self) -> bool:
        """Whether the text match is inverted (``invert`` XOR a leading ``!``)."""
        return self.invert != self.text.lstrip().startswith("!")

    @property
    def is_empty(self) -> bool:
        """True when the filter lets every job through."""
        return not self.terms and not self.groups and self.job_kind is None

    @property
    def _body(self) -> str:
        stripped = self.text.lstrip()
        return stripped[1:] if stripped.startswith("!") else stripped

    def predicate(self) -> Callable[[JobView], bool]:
        """A test of one job against the whole filter, with the words split once (for a pass
        over thousands of jobs)."""
        groups, kind = self.groups, self.job_kind
        terms, inverted = self.terms, self.inverted

        def passes(view: JobView) -> bool:
            return (
                (not groups or view.job.status_group in groups)
                and (kind is None or view.job.kind == kind)
                and (not terms or all(term in view.search_text for term in terms) != inverted)
            )

        return passes

    def matches_text(self, search_text: str) -> bool:
        """Whether a job's precomputed lowercase ``search_text`` passes the text part."""
        terms = self.terms
        if not terms:
            return True
        hit = all(term in search_text for term in terms)
        return hit != self.inverted


class SortColumn(StrEnum):
    """The columns the job table can be sorted by."""

    STATUS = "status"
    CREATED = "created"
    MODEL = "model"
    TYPE = "type"
    NAME = "name"
    PROGRESS = "progress"
    TRAIN_LOSS = "train_loss"
    VALID_LOSS = "valid_loss"
    ETA = "eta"


@attrs.frozen
class SortSpec:
    """A sort order: one column, ascending or descending. Missing values always sort last."""

    column: SortColumn = SortColumn.CREATED
    descending: bool = True

    def toggled(self) -> SortSpec:
        """The same column in the other direction."""
        return attrs.evolve(self, descending=not self.descending)

    def next_column(self) -> SortSpec:
        """The next column in table order (for a "cycle sort" key), same direction."""
        columns = list(SortColumn)
        index = (columns.index(self.column) + 1) % len(columns)
        return attrs.evolve(self, column=columns[index])
