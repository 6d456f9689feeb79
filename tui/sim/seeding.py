"""Draw plausible jobs: models, hyperparameters, data sizes, timings and outcomes.

Timings are real-world figures (validation tens of seconds, a minute or a few in the queue, a
few seconds per step) divided by ``scale`` — 1 for the historical jobs, ``1 / speed`` for the
jobs that move while the simulator runs.
"""

from __future__ import annotations

import random
from typing import cast

import attrs

from tui.api.models import JobStatus
from tui.sim.curves import CurveShape
from tui.sim.ids import hex8, run_id, uuid4
from tui.sim.lifecycle import JobPlan, SimJob, TokenPlan, WandbPlan
from tui.sim.pace import Pace

__all__ = [
    "CLASSIFIER_MODELS",
    "COMPLETION_MODELS",
    "JobFactory",
    "ModelInfo",
]


@attrs.frozen
class ModelInfo:
    """A base model that can be fine-tuned, with its pricing."""

    id: str
    tokens_per_step: int
    price_per_million: float
    currency: str
    seq_len: int
    max_context_length: int


COMPLETION_MODELS: tuple[ModelInfo, ...] = (
    ModelInfo("open-mistral-7b", 131072, 2.0, "USD", 32768, 32768),
    ModelInfo("mistral-small-latest", 131072, 4.0, "USD", 32768, 131072),
    ModelInfo("codestral-latest", 131072, 3.0, "USD", 32768, 262144),
    ModelInfo("open-mistral-nemo", 131072, 1.0, "USD", 32768, 131072),
    ModelInfo("ministral-8b-latest", 65536, 1.0, "USD", 32768, 131072),
    ModelInfo("pixtral-12b-latest", 129528, 2.0, "USD", 32768, 131072),
)
CLASSIFIER_MODELS: tuple[ModelInfo, ...] = (
    ModelInfo("ministral-3b-latest", 65536, 0.5, "EUR", 16384, 131072),
)

_STEP_CHOICES = (50, 69, 100, 100, 150, 200, 200, 300, 500, 800, 1000)
_LEARNING_RATES = (1e-4, 1e-4, 5e-5, 4e-5, 1e-5)
_SUFFIXES = ("support-v2", "sql-gen", "legal-fr", "med-notes", "tickets", "faq-bot", "summaries")
_WANDB_PROJECTS = ("support-bot", "sql-assistant", "intent-classifier", "moderation", "summaries")
_CLASSIFIER_TARGETS: tuple[dict[str, object], ...] = (
    {"name": "intent", "labels": ["billing", "bug_report", "feature_request", "account", "other"]},
    {"name": "moderation", "labels": ["toxicity", "safe", "insult", "threat", "obscene"]},
    {"name": "sentiment", "labels": ["positive", "neutral", "negative"]},
)


@attrs.define
class JobFactory:
    """Makes :class:`SimJob` values for one workspace."""

    workspace: str
    """Eight hex digits that appear in fine-tuned model names."""
    wandb_entity: str

    def make(
        self,
        rng: random.Random,
        *,
        created_at: float,
        scale: float,
        outcome: str = JobStatus.SUCCESS,
        classifier: bool = False,
        auto_start: bool = True,
        created_by_me: bool = True,
        steps: int | None = None,
        model: str | None = None,
        training_files: list[str] | None = None,
        validation_files: list[str] | None = None,
        suffix: str | None = None,
        wandb_project: str | None = None,
        wandb_name: str | None = None,
        hyperparameters: dict[str, object] | None = None,
        classifier_targets: list[dict[str, object]] | None = None,
        random_extras: bool = True,
        pace: Pace | None = None,
        job_id: str | None = None,
    ) -> SimJob:
        """A new job created at ``created_at``; call ``begin`` on it to plan its lifecycle.

        With a ``pace`` the run's steps and step time come from it (a checkpoint per step, real
        seconds, not divided by the speed). ``job_id`` keeps an id drawn beforehand.
        """
        catalog = CLASSIFIER_MODELS if classifier else COMPLETION_MODELS
        info = next((m for m in catalog if m.id == model), None) or rng.choice(catalog)
        model_id = model or info.id
        paced_step_seconds: float | None = None
        if pace is not None:
            steps, paced_step_seconds = pace.draw(rng)
        steps = steps or rng.choice(_STEP_CHOICES)
        has_validation = rng.random() < 0.75 if random_extras else bool(validation_files)
        if training_files is None:
            training_files = [uuid4(rng)]
        if validation_files is None:
            validation_files = [uuid4(rng)] if has_validation else []
        if random_extras and suffix is None and not classifier and rng.random() < 0.4:
            suffix = rng.choice(_SUFFIXES)
        wandb = None
        if random_extras and wandb_project is None and rng.random() < 0.4:
            wandb_project = rng.choice(_WANDB_PROJECTS)
            wandb_name = rng.choice((None, f"run-{rng.randint(1, 99)}"))
        if wandb_project is not None:
            wandb = WandbPlan(wandb_project, wandb_name, None, self.wandb_entity, run_id(rng))
        params: dict[str, object] = {
            "training_steps": steps,
            "learning_rate": rng.choice(_LEARNING_RATES),
            "weight_decay": 0.1,
            "warmup_fraction": 0.05,
            "epochs": None,
            "seq_len": info.seq_len,
        }
        if not classifier:
            params["fim_ratio"] = None
        for key, value in (hyperparameters or {}).items():
            if key in params and value is not None:
                params[key] = value
        steps = int(cast(int, params["training_steps"]))
        warmup = params["warmup_fraction"]
        targets = None
        if classifier:
            targets = [
                {**t, "weight": 1.0, "loss_function": "single_class"}
                for t in (classifier_targets or [rng.choice(_CLASSIFIER_TARGETS)])
            ]
        per_step = rng.random() < (0.7 if classifier else 0.35)
        checkpoint_every = 1 if per_step or pace is not None else max(1, steps // 10)
        eval_every = max(1, steps // 10) if validation_files else None
        step_seconds = rng.uniform(2.0, 3.5) if classifier else rng.uniform(1.5, 9.0)
        step_seconds = paced_step_seconds or step_seconds * scale
        fail_step = rng.randint(1, max(1, steps - 1)) if outcome == JobStatus.FAILED else None
        plan = JobPlan(
            queue_seconds=rng.uniform(30.0, 240.0) * scale,
            validation_seconds=rng.uniform(10.0, 60.0) * scale,
            step_seconds=step_seconds,
            finalize_seconds=rng.uniform(15.0, 60.0) * scale,
            cancel_seconds=rng.uniform(5.0, 30.0) * scale,
            outcome=outcome,
            fail_step=fail_step,
            duration_estimate=rng.uniform(0.85, 1.25),
        )
        data_tokens = int(info.tokens_per_step * steps / rng.uniform(0.05, 8.0))
        return SimJob(
            id=job_id or uuid4(rng),
            job_type="classifier" if classifier else "completion",
            model=model_id,
            auto_start=auto_start,
            created_at=created_at,
            training_files=training_files,
            validation_files=validation_files,
            suffix=suffix,
            hyperparameters=params,
            classifier_targets=targets,
            wandb=wandb,
            tokens=TokenPlan(
                info.tokens_per_step, data_tokens, info.price_per_million, info.currency
            ),
            plan=plan,
            checkpoint_every=checkpoint_every,
            eval_every=eval_every,
            curve_shape=CurveShape.random(
                rng,
                classifier=classifier,
                warmup_fraction=warmup if isinstance(warmup, int | float) else 0.05,
            ),
            curve_seed=rng.getrandbits(64),
            workspace=self.workspace,
            created_by_me=created_by_me,
            events_newest_first=random_extras and rng.random() < 0.25,
            modified_at=created_at,
        )

    @staticmethod
    def workspace_ids(rng: random.Random) -> tuple[str, str]:
        """A workspace id and a W&B entity name."""
        return hex8(rng), rng.choice(("acme-ml", "mistral-ai", "lab-nlp", "team-ft"))


def model_info(model: str) -> tuple[ModelInfo | None, ModelInfo | None]:
    """The catalog entries (completion, classifier) for ``model``, if any."""
    completion = next((m for m in COMPLETION_MODELS if m.id == model), None)
    classifier = next((m for m in CLASSIFIER_MODELS if m.id == model), None)
    return completion, classifier
