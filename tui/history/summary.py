"""What the job list shows about a job's training, stored so history rows need no detail body.

Kept in columns of the ``jobs`` table and updated as checkpoints arrive: the last step and its
train loss, the last evaluated step's valid loss (``0.0`` means "not evaluated", see
:attr:`tui.api.models.Metrics.evaluated`) and perplexity, the training duration of a finished
job, and how many checkpoints are stored.
"""

from __future__ import annotations

from typing import Any

import attrs

from tui.api.models import JobDetails
from tui.api.timeline import training_duration

__all__ = ["SUMMARY_COLUMNS", "HistorySummary"]

SUMMARY_COLUMNS = (
    "last_step",
    "train_loss",
    "valid_step",
    "valid_loss",
    "perplexity",
    "duration",
    "checkpoint_count",
)
"""The ``jobs`` columns holding a :class:`HistorySummary`, in its field order."""


@attrs.frozen
class HistorySummary:
    """Last step, losses and duration of one stored job."""

    last_step: int | None = None
    """Highest checkpoint step stored."""
    train_loss: float | None = None
    """Train loss at ``last_step``."""
    valid_step: int | None = None
    """Highest step at which a validation pass ran."""
    valid_loss: float | None = None
    """Valid loss at ``valid_step``."""
    perplexity: float | None = None
    """``valid_mean_token_accuracy`` (really ``2 ** valid_loss``) at ``valid_step``."""
    duration: float | None = None
    """Seconds from the start of training to the terminal status, once the job finished."""
    checkpoint_count: int = 0
    """How many checkpoints are stored for the job."""

    @classmethod
    def of(cls, details: JobDetails) -> HistorySummary:
        """The summary one detail payload gives on its own."""
        by_step = details.checkpoints_by_step
        evaluated = details.evaluated_checkpoints
        last = by_step[-1] if by_step else None
        last_valid = evaluated[-1] if evaluated else None
        return cls(
            last_step=last.step_number if last else None,
            train_loss=last.metrics.train_loss if last else None,
            valid_step=last_valid.step_number if last_valid else None,
            valid_loss=last_valid.metrics.valid_loss if last_valid else None,
            perplexity=last_valid.metrics.perplexity if last_valid else None,
            duration=training_duration(details),
            checkpoint_count=len(by_step),
        )

    @classmethod
    def from_row(cls, values: tuple[Any, ...]) -> HistorySummary:
        """The summary held in the :data:`SUMMARY_COLUMNS` of a row."""
        return cls(*values)

    def columns(self) -> tuple[Any, ...]:
        """The values of :data:`SUMMARY_COLUMNS`, in order."""
        return attrs.astuple(self)

    @property
    def is_empty(self) -> bool:
        """Whether nothing is known yet (a job seen only in the list)."""
        return self == HistorySummary()

    def merged(self, newer: HistorySummary, *, checkpoint_count: int) -> HistorySummary:
        """This stored summary updated with what a newer payload says.

        The later step wins each part (a payload cut short never moves the summary back); the
        newer duration wins when it has one.
        """
        steps = attrs.evolve(
            self,
            checkpoint_count=checkpoint_count,
            duration=newer.duration if newer.duration is not None else self.duration,
        )
        if newer.last_step is not None and (
            self.last_step is None or newer.last_step >= self.last_step
        ):
            steps = attrs.evolve(steps, last_step=newer.last_step, train_loss=newer.train_loss)
        if newer.valid_step is not None and (
            self.valid_step is None or newer.valid_step >= self.valid_step
        ):
            steps = attrs.evolve(
                steps,
                valid_step=newer.valid_step,
                valid_loss=newer.valid_loss,
                perplexity=newer.perplexity,
            )
        return steps
