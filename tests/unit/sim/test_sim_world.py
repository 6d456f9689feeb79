"""The job world: seeding, the real lifecycle under a stepped clock, realistic data, bounds."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tui.api.clock import ManualClock
from tui.api.models import TERMINAL_STATUSES
from tui.sim.problems import SimProblem
from tui.sim.world import JobQuery, NewJob, World

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
FT_MODEL = re.compile(r"^ft:(classifier:)?[a-z0-9.-]+:[0-9a-f]{8}:\d{8}:[0-9a-f]{8}$")


def new_job(**overrides: object) -> NewJob:
    fields: dict[str, object] = {
        "model": "open-mistral-7b",
        "job_type": "completion",
        "training_files": ["a3b6f2a2-3d0e-4c1b-9e55-0d6f0c7c9a11"],
        "validation_files": ["5b0d1f4e-8c1a-4d9b-a7e2-2f3c4d5e6f70"],
        "hyperparameters": {"training_steps": 100, "learning_rate": 1e-4},
        "auto_start": True,
        "wandb_project": "support-bot",
    }
    fields.update(overrides)
    return NewJob(**fields)  # type: ignore[arg-type]


def statuses_seen(
    world: World, job_id: str, clock: ManualClock, step: float, until: float
) -> list[str]:
    """Step the clock and record each distinct status the job shows."""
    seen = [world.job_status(job_id)]
    end = clock.time() + until
    while clock.time() < end:
        clock.advance(step)
        status = world.job_status(job_id)
        if status != seen[-1]:
            seen.append(status)
    return seen


def test_seeded_workspace_has_every_status_and_both_types(world: World) -> None:
    total, items = world.list_jobs(JobQuery(page_size=1000))
    assert total == 43 == len(items)
    statuses = Counter(item["status"] for item in items)
    for status in ("SUCCESS", "FAILED", "FAILED_VALIDATION", "CANCELLED", "VALIDATED"):
        assert statuses[status] >= 1, statuses
    assert statuses["SUCCESS"] > total / 2
    assert {item["job_type"] for item in items} == {"completion", "classifier"}
    live = [item for item in items if item["status"] not in TERMINAL_STATUSES | {"VALIDATED"}]
    assert len(live) == 3
    assert all(UUID4.match(item["id"]) for item in items)


def test_same_seed_same_workspace_other_seed_other_one(clock: ManualClock) -> None:
    one = World(seed=11, clock=clock, arrivals=False)
    two = World(seed=11, clock=clock, arrivals=False)
    three = World(seed=12, clock=clock, arrivals=False)
    assert one.job_ids() == two.job_ids()
    assert one.job(one.job_ids()[5]) == two.job(two.job_ids()[5])
    assert set(one.job_ids()).isdisjoint(three.job_ids())


def test_auto_start_job_walks_the_real_lifecycle(world: World, clock: ManualClock) -> None:
    created = world.create_job(new_job())
    job_id = created["id"]
    assert created["status"] == "QUEUED"
    assert created["metadata"] is None
    assert "events" not in created
    assert "checkpoints" not in created
    seen = statuses_seen(world, job_id, clock, step=0.25, until=3600)
    assert seen == ["QUEUED", "VALIDATING", "VALIDATED", "RUNNING", "SUCCESS"]
    detail = world.job(job_id)
    assert [e["data"]["status"] for e in detail["events"]] == seen
    assert [e["name"] for e in detail["events"]] == ["status-updated"] * 5
    assert detail["modified_at"] == detail["events"][-1]["created_at"]
    assert FT_MODEL.match(detail["fine_tuned_model"]), detail["fine_tuned_model"]
    assert detail["fine_tuned_model"].endswith(":" + job_id[:8])
    meta = detail["metadata"]
    assert meta["train_tokens"] == meta["train_tokens_per_step"] * 100
    assert detail["trained_tokens"] == meta["train_tokens"]
    assert meta["cost"] == pytest.approx(meta["train_tokens"] / 1e6 * 2.0, abs=1e-3)
    assert meta["cost_currency"] == "USD"
    assert detail["integrations"][0]["url"].startswith("https://wandb.ai/")
    assert detail["hyperparameters"]["epochs"] > 0


def test_fields_appear_at_the_right_status(world: World, clock: ManualClock) -> None:
    job_id = world.create_job(new_job())["id"]
    checked = set()
    for _ in range(4000):
        detail = world.job(job_id)
        status = detail["status"]
        checked.add(status)
        if status in ("QUEUED", "VALIDATING"):
            assert detail["metadata"] is None
        else:
            assert detail["metadata"] is not None
        running = status in ("RUNNING", "SUCCESS")
        assert (detail["integrations"][0]["url"] is not None) == running
        assert (detail["trained_tokens"] is not None) == (status == "SUCCESS")
        assert (detail["fine_tuned_model"] is not None) == (status == "SUCCESS")
        if status == "SUCCESS":
            break
        clock.advance(0.25)
    assert checked == {"QUEUED", "VALIDATING", "VALIDATED", "RUNNING", "SUCCESS"}


def test_checkpoints_grow_newest_first_without_touching_modified_at(
    world: World, clock: ManualClock
) -> None:
    job_id = world.create_job(new_job())["id"]
    while world.job_status(job_id) != "RUNNING":
        clock.advance(0.5)
    modified = world.job(job_id)["modified_at"]
    counts = []
    for _ in range(40):
        clock.advance(1.0)
        detail = world.job(job_id)
        if detail["status"] != "RUNNING":
            break
        assert detail["modified_at"] == modified
        steps = [c["step_number"] for c in detail["checkpoints"]]
        assert steps == sorted(steps, reverse=True)
        counts.append(len(steps))
    assert counts == sorted(counts)
    assert counts[-1] > counts[0]


def test_metrics_are_realistic(world: World, clock: ManualClock) -> None:
    job_id = world.create_job(new_job(hyperparameters={"training_steps": 300}))["id"]
    clock.advance(24 * 3600)
    checkpoints = world.job(job_id)["checkpoints"]
    assert checkpoints
    for checkpoint in checkpoints:
        metrics = checkpoint["metrics"]
        assert metrics["train_loss"] > 0
        if metrics["valid_loss"] == 0.0:
            assert metrics["valid_mean_token_accuracy"] == 0.0
        else:
            assert metrics["valid_mean_token_accuracy"] == pytest.approx(
                2 ** metrics["valid_loss"], abs=1e-5
            )
            assert metrics["valid_loss"] == pytest.approx(metrics["train_loss"], rel=0.5)
    ordered = sorted(checkpoints, key=lambda c: c["step_number"])
    first = sum(c["metrics"]["train_loss"] for c in ordered[:3]) / 3
    last = sum(c["metrics"]["train_loss"] for c in ordered[-3:]) / 3
    assert last < first  # the loss falls
    times = [c["created_at"] for c in ordered]
    assert times == sorted(times)


def test_no_validation_file_means_zero_valid_metrics(world: World, clock: ManualClock) -> None:
    job_id = world.create_job(new_job(validation_files=[]))["id"]
    clock.advance(24 * 3600)
    detail = world.job(job_id)
    assert detail["status"] == "SUCCESS"
    assert detail["checkpoints"]
    for checkpoint in detail["checkpoints"]:
        assert checkpoint["metrics"]["valid_loss"] == 0.0
        assert checkpoint["metrics"]["valid_mean_token_accuracy"] == 0.0


def test_both_checkpoint_cadences_exist(world: World) -> None:
    cadences = set()
    for job_id in world.job_ids():
        job = world.sim_job(job_id)
        steps = job.training_steps
        cadences.add("every step" if job.checkpoint_every == 1 else "every ~10%")
        if job.checkpoint_every != 1:
            assert job.checkpoint_every == max(1, steps // 10)
    assert cadences == {"every step", "every ~10%"}


def test_start_a_validated_job(world: World, clock: ManualClock) -> None:
    job_id = world.create_job(new_job(auto_start=False))["id"]
    seen = statuses_seen(world, job_id, clock, step=0.5, until=600)
    assert seen == ["QUEUED", "VALIDATING", "VALIDATED"]  # waits for /start
    detail = world.start_job(job_id)
    assert detail["status"] == "QUEUED"
    eta = detail["metadata"]["estimated_start_time"]
    assert eta >= clock.time()
    assert [e["data"]["status"] for e in detail["events"]][-2:] == ["VALIDATED", "QUEUED"]
    with pytest.raises(SimProblem) as info:
        world.start_job(job_id)
    assert info.value.status == 409
    clock.set(eta + 0.01)
    assert world.job_status(job_id) == "RUNNING"
    clock.advance(24 * 3600)
    assert world.job_status(job_id) == "SUCCESS"


def test_cancel_a_running_job(world: World, clock: ManualClock) -> None:
    job_id = world.create_job(new_job(hyperparameters={"training_steps": 500}))["id"]
    while world.job_status(job_id) != "RUNNING":
        clock.advance(0.5)
    clock.advance(5)
    detail = world.cancel_job(job_id)
    assert detail["status"] == "CANCELLATION_REQUESTED"
    frozen = len(detail["checkpoints"])
    with pytest.raises(SimProblem) as info:
        world.cancel_job(job_id)
    assert info.value.status == 409
    clock.advance(3600)
    detail = world.job(job_id)
    assert detail["status"] == "CANCELLED"
    assert len(detail["checkpoints"]) == frozen
    assert detail["fine_tuned_model"] is None
    assert [e["data"]["status"] for e in detail["events"]][-2:] == [
        "CANCELLATION_REQUESTED",
        "CANCELLED",
    ]
    with pytest.raises(SimProblem):
        world.start_job(job_id)


def test_failed_and_failed_validation_jobs_look_right(world: World) -> None:
    _, items = world.list_jobs(JobQuery(page_size=1000))
    failed = [i for i in items if i["status"] == "FAILED"]
    invalid = [i for i in items if i["status"] == "FAILED_VALIDATION"]
    for item in failed:
        detail = world.job(item["id"])
        assert detail["fine_tuned_model"] is None
        assert detail["trained_tokens"] is None
        last = detail["checkpoints"][0]["step_number"] if detail["checkpoints"] else 0
        assert last < detail["hyperparameters"]["training_steps"]
    for item in invalid:
        detail = world.job(item["id"])
        assert detail["metadata"] is None
        assert detail["checkpoints"] == []
        assert detail["events"][-1]["data"]["status"] == "FAILED_VALIDATION" or (
            detail["events"][0]["data"]["status"] == "FAILED_VALIDATION"
        )


def test_speed_scales_live_durations(clock: ManualClock) -> None:
    fast = World(seed=3, jobs=0, live=0, speed=60.0, clock=clock, arrivals=False)
    slow = World(seed=3, jobs=0, live=0, speed=1.0, clock=clock, arrivals=False)
    a = fast.sim_job(fast.create_job(new_job())["id"]).plan
    b = slow.sim_job(slow.create_job(new_job())["id"]).plan
    assert b.step_seconds == pytest.approx(a.step_seconds * 60)
    assert 1.5 <= b.step_seconds <= 9.0  # real time: a few seconds per step
    assert 10 <= b.validation_seconds <= 60
    assert 30 <= b.queue_seconds <= 240


def test_arrivals_keep_the_world_moving_and_bounded(clock: ManualClock) -> None:
    world = World(seed=5, jobs=10, live=2, speed=60.0, clock=clock, max_jobs=60)
    seen_statuses: set[str] = set()
    for _ in range(400):
        clock.advance(30)
        world.advance_to_now()
        assert len(world) <= 60
        seen_statuses.update(world.counts())
    assert {"RUNNING", "SUCCESS", "VALIDATING"} <= seen_statuses
    total, items = world.list_jobs(JobQuery(page_size=1000))
    assert total == len(world)
    newest = items[0]["created_at"]
    assert newest > clock.time() - 3600  # jobs keep arriving
    clock.advance(10 * 365 * 86400)  # a huge jump stays cheap and bounded
    world.advance_to_now()
    assert len(world) <= 60


def test_files_and_models(world: World, clock: ManualClock) -> None:
    job_id = world.create_job(new_job())["id"]
    detail = world.job(job_id)
    file = world.file(detail["training_files"][0])
    assert file["purpose"] == "fine-tune"
    assert file["deleted"] is False
    with pytest.raises(SimProblem):
        world.file("00000000-0000-4000-8000-000000000000")
    clock.advance(24 * 3600)
    model = world.job(job_id)["fine_tuned_model"]
    cards = {card["id"]: card for card in world.models()}
    assert cards[model]["type"] == "fine-tuned"
    assert cards[model]["job"] == job_id
    assert cards[model]["archived"] is False
    assert world.set_archived(model, True) == {"id": model, "object": "model", "archived": True}
    assert {c["id"]: c for c in world.models()}[model]["archived"] is True
    assert world.set_archived(model, False)["archived"] is False


def test_a_long_busy_run_keeps_the_workspace_mix_steady(clock: ManualClock) -> None:
    # Jobs nobody starts (15 % of arrivals) must age out like finished ones, or a soak's
    # workspace ends up all VALIDATED with nothing finishing.
    world = World(
        seed=7, jobs=100, live=5, speed=600.0, clock=clock, max_jobs=100, arrival_interval=300.0
    )
    start = world.counts()
    for _ in range(30 * 60):  # 30 minutes of a new job every 0.5 s
        clock.advance(1.0)
        world.advance_to_now()
    end = world.counts()
    assert len(world) == 100
    assert end.get("VALIDATED", 0) <= max(30, 2 * start.get("VALIDATED", 0))
    assert end.get("SUCCESS", 0) >= 40


def test_a_job_removed_behind_the_apis_back_is_gone(world: World) -> None:
    job_id = world.job_ids()[-1]
    detail = world.job(job_id)
    world.remove_job(job_id)
    assert job_id not in world.job_ids()
    for call in (world.job, world.remove_job):
        with pytest.raises(SimProblem) as info:
            call(job_id)
        assert info.value.status == 404
    with pytest.raises(SimProblem):
        world.file(detail["training_files"][0])
