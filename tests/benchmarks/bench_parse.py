"""Parse speed: finetop's converter against the official SDK's models, same bytes, same run.

Run as ``python tests/benchmarks/bench_parse.py [--profile] [--repeat N]``. It builds three
payloads from the real fixtures (a page of 100 jobs; a detailed job with 1,000 checkpoints and 50
events; the same job with its validation metrics sent as the JSON integer ``0``, which finetop
turns into floats), checks that both parsers read them, times bytes -> models with ``timeit``
(best of the repeats, every timed function in alternating rounds) and prints finetop/SDK time
ratios. The goal is a ratio of at most 1.5 on each. For context it also times ``orjson.loads``
alone, the floor of any parser that builds dicts first, and for the detailed job the decoding
plus the construction of its 1,000 frozen checkpoints and metrics without any check, the floor
of any converter of these models.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import json
import pstats
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import orjson  # noqa: E402
from mistralai.client.models import (  # noqa: E402
    CompletionFineTuningJobDetails,
    ListFineTuningJobsResponse,
)

from tui.api.convert import parse_job, parse_jobs_page  # noqa: E402
from tui.api.models import Checkpoint, Metrics  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
GOAL = 1.5
"""The largest acceptable finetop/SDK time ratio."""


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def jobs_page_payload(count: int = 100) -> bytes:
    """A page of ``count`` jobs: the 32 real list items, repeated with distinct ids and times."""
    real = fixture("jobs-list-2024-07.json")
    items = []
    for index in range(count):
        item = copy.deepcopy(real["data"][index % len(real["data"])])
        item["id"] = f"{index:08d}-{item['id'][9:]}"
        item["created_at"] -= index * 60
        item["modified_at"] -= index * 60
        item["job_type"] = "completion"  # the SDK files the 2024 "FT" under an unknown variant
        items.append(item)
    return orjson.dumps({"object": "list", "total": 1_000, "data": items})


def detailed_job_payload(
    checkpoints: int = 1_000, events: int = 50, *, unevaluated_as_int: bool = False
) -> bytes:
    """A completed job with ``checkpoints`` checkpoints (newest first) and ``events`` events.

    The job is the real pixtral detail; the metrics cycle through the real values of the 100-step
    and pixtral jobs, nudged so that no two checkpoints are equal. With ``unevaluated_as_int``,
    no step is evaluated and the validation metrics arrive as the JSON integer ``0`` (as the
    pixtral job's ``0.0`` would if the server dropped the fraction), which must become floats.
    """
    job = fixture("job-detail-completion-pixtral-69-steps-2025-07.json")
    metrics = [
        c["metrics"]
        for c in fixture("job-detail-completion-100-steps-2024-05-docs.json")["checkpoints"]
    ]
    metrics += [c["metrics"] for c in job["checkpoints"]]
    start = job["created_at"] + 60
    points = []
    for step in range(checkpoints, 0, -1):
        base = metrics[step % len(metrics)]
        nudge = 1.0 + step * 1e-7
        points.append(
            {
                "metrics": {
                    "train_loss": base["train_loss"] * nudge,
                    "valid_loss": base["valid_loss"] * nudge,
                    "valid_mean_token_accuracy": base["valid_mean_token_accuracy"] * nudge,
                },
                "step_number": step,
                "created_at": start + step * 3,
            }
        )
        if unevaluated_as_int:
            points[-1]["metrics"].update(valid_loss=0, valid_mean_token_accuracy=0)
    statuses = ["QUEUED", "VALIDATING", "VALIDATED", "RUNNING", "SUCCESS"]
    job["events"] = [
        {
            "name": "status-updated",
            "created_at": job["created_at"] + index,
            "data": {"status": statuses[index % len(statuses)]},
        }
        for index in range(events)
    ]
    job["checkpoints"] = points
    job["training_steps"] = checkpoints
    return orjson.dumps(job)


def checkpoints_unchecked(raw: bytes) -> list[Checkpoint]:
    """Decode, then build the checkpoints and their metrics with no check at all.

    No converter of these frozen models can be faster than this: it is the floor that the
    detail cases' ratios are measured against in the ``context`` column.
    """
    return [
        Checkpoint(
            Metrics(
                metrics.get("train_loss"),
                metrics.get("valid_loss"),
                metrics.get("valid_mean_token_accuracy"),
            ),
            point["step_number"],
            point["created_at"],
        )
        for point in orjson.loads(raw)["checkpoints"]
        for metrics in (point["metrics"],)
    ]


def best_alternating(functions: list[Callable[[], object]], repeat: int) -> list[float]:
    """Best seconds per call of each function, timed in alternating rounds.

    Alternating means a burst of load on the machine hits every side alike, instead of
    whichever happened to be running at the time.
    """
    timers = [timeit.Timer(fn) for fn in functions]
    number = max(timer.autorange()[0] for timer in timers) // 4 or 1
    best = [float("inf")] * len(timers)
    for _ in range(repeat):
        for index, timer in enumerate(timers):
            best[index] = min(best[index], timer.timeit(number) / number)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timing rounds (best of)")
    parser.add_argument("--profile", action="store_true", help="profile finetop's parse too")
    args = parser.parse_args(argv)

    page = jobs_page_payload()
    detail = detailed_job_payload()
    zeros = detailed_job_payload(unevaluated_as_int=True)
    assert b'"valid_loss":0,' in zeros

    # Both parsers must read the same data before timing means anything.
    ours_page, sdk_page = (
        parse_jobs_page(page),
        ListFineTuningJobsResponse.model_validate_json(page),
    )
    assert len(ours_page.data) == len(sdk_page.data) == 100
    assert type(sdk_page.data[0]).__name__ == "CompletionFineTuningJob"
    for raw in (detail, zeros):
        ours_detail = parse_job(raw)
        sdk_detail = CompletionFineTuningJobDetails.model_validate_json(raw)
        assert len(ours_detail.checkpoints) == len(sdk_detail.checkpoints) == 1_000
        assert len(ours_detail.events) == len(sdk_detail.events) == 50
        ours_metrics = ours_detail.checkpoints[0].metrics
        sdk_metrics = sdk_detail.checkpoints[0].metrics
        assert ours_metrics.valid_loss == sdk_metrics.valid_loss
        assert type(ours_metrics.valid_loss) is float
    assert ours_metrics.valid_loss == 0.0  # the integer 0 case came last

    cases = [
        (
            "jobs page (100 jobs)",
            page,
            lambda: parse_jobs_page(page),
            lambda: ListFineTuningJobsResponse.model_validate_json(page),
        ),
        (
            "job detail (1,000 checkpoints, 50 events)",
            detail,
            lambda: parse_job(detail),
            lambda: CompletionFineTuningJobDetails.model_validate_json(detail),
        ),
        (
            "same, validation metrics as integer 0",
            zeros,
            lambda: parse_job(zeros),
            lambda: CompletionFineTuningJobDetails.model_validate_json(zeros),
        ),
    ]
    print(
        f"bytes -> models, best of {args.repeat} rounds; baseline: mistralai SDK 2.5.1 (pydantic)"
    )
    print(f"{'payload':44} {'size':>9} {'finetop':>10} {'SDK':>10} {'ratio':>7}   context")
    ratios = []
    for name, raw, ours, sdk in cases:
        contexts: list[Callable[[], object]] = [lambda raw=raw: orjson.loads(raw)]
        if raw is not page:
            contexts.append(lambda raw=raw: checkpoints_unchecked(raw))
        ours_s, sdk_s, loads_s, *floor_s = best_alternating([ours, sdk, *contexts], args.repeat)
        ratio = ours_s / sdk_s
        ratios.append(ratio)
        print(
            f"{name:44} {len(raw) / 1024:7.1f}kB {ours_s * 1e3:8.3f}ms {sdk_s * 1e3:8.3f}ms "
            f"{ratio:7.2f}   orjson.loads alone {loads_s * 1e3:.3f} ms"
        )
        for floor in floor_s:
            print(
                f"{'':44} {'':9} {'':10} {'':10} {'':7}   decoded + 2,000 frozen objects built "
                f"unchecked {floor * 1e3:.3f} ms ({floor / sdk_s:.2f}x SDK)"
            )
    verdict = "met" if max(ratios) <= GOAL else "NOT met"
    print(f"goal finetop/SDK <= {GOAL}: {verdict} (worst ratio {max(ratios):.2f})")

    if args.profile:
        for name, _, ours, _ in cases:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(200):
                ours()
            profile.disable()
            print(f"\nprofile of finetop, {name} (200 calls):")
            pstats.Stats(profile).sort_stats("tottime").print_stats(8)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
