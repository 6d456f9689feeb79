"""Jobs with realistic loss curves for chart tests and benchmarks, built in code.

Train loss decays from ``initial`` towards ``plateau`` with seeded multiplicative noise; chosen
steps get a spike (a multiple of their value). Valid loss is reported every ``eval_every``
steps, just above the smooth curve; elsewhere it is ``0.0`` (the API's "not evaluated"), and
``valid_mean_token_accuracy`` is ``2 ** valid_loss`` as the real API sends it. Checkpoints are
stored newest first, like the API.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

from tui.api.models import Checkpoint, CompletionJobDetails, CompletionTrainingParameters, Metrics

__all__ = ["T0", "loss_checkpoints", "training_run"]

T0 = 1_750_000_000
"""When every generated job was created."""


def loss_checkpoints(
    steps: Iterable[int],
    *,
    initial: float = 2.4,
    plateau: float = 0.8,
    decay: float = 150.0,
    noise: float = 0.04,
    eval_every: int = 50,
    spikes: dict[int, float] | None = None,
    seed: int = 1,
) -> tuple[Checkpoint, ...]:
    """Checkpoints at ``steps``, newest first (see the module docstring)."""
    rng = random.Random(seed)
    spikes = spikes or {}
    checkpoints = []
    for step in steps:
        smooth = plateau + (initial - plateau) * math.exp(-step / decay)
        train = smooth * (1.0 + rng.gauss(0.0, noise)) * spikes.get(step, 1.0)
        valid = round(smooth * 1.03, 6) if eval_every and step % eval_every == 0 else 0.0
        metrics = Metrics(
            train_loss=round(train, 6),
            valid_loss=valid,
            valid_mean_token_accuracy=round(2.0**valid, 6) if valid else 0.0,
        )
        checkpoints.append(Checkpoint(metrics=metrics, step_number=step, created_at=T0 + step))
    return tuple(reversed(checkpoints))


def training_run(
    job_id: str = "ab12cd34-0000-4000-8000-000000000001",
    *,
    last_step: int = 1000,
    every: int = 10,
    planned: int | None = None,
    status: str = "RUNNING",
    suffix: str | None = "run",
    **curve: object,
) -> CompletionJobDetails:
    """A completion job with a checkpoint every ``every`` steps up to ``last_step``.

    ``planned`` is its ``training_steps`` (``last_step`` when not given); ``curve`` goes to
    :func:`loss_checkpoints`.
    """
    checkpoints = loss_checkpoints(range(every, last_step + 1, every), **curve)  # type: ignore[arg-type]
    return CompletionJobDetails(
        id=job_id,
        model="open-mistral-7b",
        status=status,
        created_at=T0,
        modified_at=T0 + 60,
        job_type="completion",
        suffix=suffix,
        hyperparameters=CompletionTrainingParameters(training_steps=planned or last_step),
        checkpoints=checkpoints,
    )
