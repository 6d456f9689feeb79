"""The HTTP API in process: pagination, filters, every error path, auth, rate limits, the log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

from tui.api.clock import ManualClock
from tui.sim.app import create_app
from tui.sim.world import World

JOBS = "/v1/fine_tuning/jobs"
MISSING = "00000000-0000-4000-8000-000000000000"
TRAIN_FILE = "a3b6f2a2-3d0e-4c1b-9e55-0d6f0c7c9a11"


async def all_items(client: httpx.AsyncClient, **params: object) -> list[dict]:
    response = await client.get(JOBS, params={"page_size": 1000, **params})
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def test_pages_are_zero_based_newest_first_with_total(client: httpx.AsyncClient) -> None:
    everything = await all_items(client)
    assert len(everything) == 43
    created = [item["created_at"] for item in everything]
    assert created == sorted(created, reverse=True)
    seen: list[str] = []
    for page in range(5):
        body = (await client.get(JOBS, params={"page": page, "page_size": 10})).json()
        assert body["object"] == "list"
        assert body["total"] == 43
        seen += [item["id"] for item in body["data"]]
    assert seen == [item["id"] for item in everything]
    default = (await client.get(JOBS)).json()
    assert len(default["data"]) == 43  # page_size defaults to 100
    beyond = (await client.get(JOBS, params={"page": 9, "page_size": 10})).json()
    assert beyond == {"data": [], "object": "list", "total": 43}


async def test_list_items_have_no_events_or_checkpoints(client: httpx.AsyncClient) -> None:
    for item in await all_items(client):
        assert "events" not in item
        assert "checkpoints" not in item
        detail = (await client.get(f"{JOBS}/{item['id']}")).json()
        assert "events" in detail
        assert "checkpoints" in detail
        assert {
            k: v
            for k, v in detail.items()
            if k not in ("events", "checkpoints", "classifier_targets")
        } == item


@pytest.mark.parametrize(
    ("name", "pick"),
    [
        ("status", lambda item: item["status"]),
        ("model", lambda item: item["model"]),
        ("suffix", lambda item: item["suffix"]),
        ("wandb_project", lambda item: (item["integrations"] or [{}])[0].get("project")),
    ],
)
async def test_filters_narrow_and_total_counts_after_filtering(
    client: httpx.AsyncClient, name: str, pick
) -> None:
    everything = await all_items(client)
    value = next(pick(item) for item in everything if pick(item))
    body = (await client.get(JOBS, params={name: value, "page_size": 2})).json()
    expected = [item["id"] for item in everything if pick(item) == value]
    assert body["total"] == len(expected)
    assert [item["id"] for item in body["data"]] == expected[:2]


async def test_wandb_name_and_created_by_me_filters(
    client: httpx.AsyncClient, world: World
) -> None:
    everything = await all_items(client)
    named = [i for i in everything if i["integrations"] and i["integrations"][0]["name"]]
    assert named
    name = named[0]["integrations"][0]["name"]
    got = await all_items(client, wandb_name=name)
    assert {i["id"] for i in got} == {
        i["id"] for i in everything if i["integrations"] and i["integrations"][0]["name"] == name
    }
    mine = await all_items(client, created_by_me="true")
    assert 0 < len(mine) < len(everything)
    assert all(world.sim_job(i["id"]).created_by_me for i in mine)
    assert len(await all_items(client, created_by_me="false")) == len(everything)


@pytest.mark.parametrize(
    "fmt",
    [
        lambda dt: dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        lambda dt: dt.isoformat(),
        lambda dt: dt.astimezone(timezone(timedelta(hours=2))).isoformat(),
        lambda dt: dt.replace(tzinfo=None).isoformat(),
    ],
    ids=["Z", "+00:00", "+02:00", "naive-utc"],
)
async def test_created_after_and_before(client: httpx.AsyncClient, fmt) -> None:
    everything = await all_items(client)
    middle = everything[len(everything) // 2]["created_at"]
    pivot = datetime.fromtimestamp(middle, UTC)
    after = await all_items(client, created_after=fmt(pivot))
    before = await all_items(client, created_before=fmt(pivot))
    assert after
    assert before
    assert all(i["created_at"] >= middle for i in after)
    assert all(i["created_at"] <= middle + 1 for i in before)
    assert len(after) + len(before) >= len(everything)


@pytest.mark.parametrize(
    ("params", "loc", "kind"),
    [
        ({"page": "x"}, ["query", "page"], "int_parsing"),
        ({"page_size": "ten"}, ["query", "page_size"], "int_parsing"),
        ({"page": "-1"}, ["query", "page"], "greater_than_equal"),
        ({"status": "DONE"}, ["query", "status"], "enum"),
        ({"created_after": "yesterday"}, ["query", "created_after"], "datetime_from_date_parsing"),
        ({"created_by_me": "maybe"}, ["query", "created_by_me"], "bool_parsing"),
    ],
)
async def test_bad_parameters_are_422_fastapi_bodies(
    client: httpx.AsyncClient, params: dict, loc: list, kind: str
) -> None:
    response = await client.get(JOBS, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    (error,) = response.json()["detail"]
    assert error["loc"] == loc
    assert error["type"] == kind
    assert error["msg"]
    assert "input" in error


@pytest.mark.parametrize("suffix", ["", "/cancel", "/start"])
async def test_bad_uuid_is_422_and_unknown_job_404(client: httpx.AsyncClient, suffix: str) -> None:
    method = "GET" if not suffix else "POST"
    bad = await client.request(method, f"{JOBS}/not-a-uuid{suffix}")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["type"] == "uuid_parsing"
    assert bad.json()["detail"][0]["loc"] == ["path", "job_id"]
    missing = await client.request(method, f"{JOBS}/{MISSING}{suffix}")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No fine tuning job matches the given query."}


async def test_unknown_route_and_method(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/nothing")).json() == {"detail": "Not Found"}
    response = await client.delete(JOBS)
    assert response.status_code == 405


async def test_start_and_cancel_conflicts_are_409(client: httpx.AsyncClient) -> None:
    everything = await all_items(client)
    done = next(i for i in everything if i["status"] == "SUCCESS")
    waiting = next(i for i in everything if i["status"] == "VALIDATED")
    for action in ("start", "cancel"):
        response = await client.post(f"{JOBS}/{done['id']}/{action}")
        assert response.status_code == 409
        assert "SUCCESS" in response.json()["detail"]
    started = await client.post(f"{JOBS}/{waiting['id']}/start")
    assert started.status_code == 200
    assert started.json()["status"] == "QUEUED"
    assert started.json()["metadata"]["estimated_start_time"] is not None
    again = await client.post(f"{JOBS}/{waiting['id']}/start")
    assert again.status_code == 409
    cancelled = await client.post(f"{JOBS}/{waiting['id']}/cancel")
    assert cancelled.json()["status"] == "CANCELLATION_REQUESTED"


async def test_create_job_then_watch_it_over_http(
    client: httpx.AsyncClient, clock: ManualClock
) -> None:
    body = {
        "model": "open-mistral-7b",
        "training_files": [{"file_id": TRAIN_FILE, "weight": 1}],
        "hyperparameters": {"training_steps": 50, "learning_rate": 0.0001},
        "suffix": "demo",
        "integrations": [{"type": "wandb", "project": "demo", "api_key": "k" * 40}],
    }
    response = await client.post(JOBS, json=body)
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["status"] == "QUEUED"
    assert created["suffix"] == "demo"
    assert created["auto_start"] is True
    assert (await client.get(f"/v1/files/{TRAIN_FILE}")).status_code == 200
    clock.advance(6 * 3600)
    detail = (await client.get(f"{JOBS}/{created['id']}")).json()
    assert detail["status"] == "SUCCESS"
    assert (await all_items(client, suffix="demo"))[0]["id"] == created["id"]
    assert "k" * 40 not in response.text


@pytest.mark.parametrize(
    ("body", "expect"),
    [
        ({"hyperparameters": {}}, ("missing", ["body", "model"])),
        ({"model": "open-mistral-7b"}, ("missing", ["body", "hyperparameters"])),
        (
            {"model": "open-mistral-7b", "hyperparameters": {"learning_rate": 2}},
            ("less_than_equal", ["body", "hyperparameters", "learning_rate"]),
        ),
        (
            {"model": "open-mistral-7b", "hyperparameters": {"training_steps": 0}},
            ("greater_than_equal", ["body", "hyperparameters", "training_steps"]),
        ),
        (
            {"model": "open-mistral-7b", "hyperparameters": {}, "suffix": "x" * 19},
            ("string_too_long", ["body", "suffix"]),
        ),
        (
            {
                "model": "open-mistral-7b",
                "hyperparameters": {},
                "training_files": [{"file_id": "nope"}],
            },
            ("uuid_parsing", ["body", "training_files", 0, "file_id"]),
        ),
        (
            {"model": "open-mistral-7b", "hyperparameters": {}},
            ("value_error", ["body", "job_in"]),
        ),
        ([1, 2], ("model_attributes_type", ["body"])),
    ],
)
async def test_create_job_validation(client: httpx.AsyncClient, body, expect) -> None:
    response = await client.post(JOBS, json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert (detail[0]["type"], detail[0]["loc"]) == expect


async def test_create_job_refuses_unknown_model_and_bad_json(client: httpx.AsyncClient) -> None:
    body = {
        "model": "gpt-4",
        "training_files": [{"file_id": TRAIN_FILE}],
        "hyperparameters": {},
    }
    response = await client.post(JOBS, json=body)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Model not available for this type of fine-tuning")
    broken = await client.post(JOBS, content=b"{", headers={"content-type": "application/json"})
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["type"] == "json_invalid"


async def test_dry_run_returns_legacy_metadata(client: httpx.AsyncClient) -> None:
    body = {
        "model": "open-mistral-7b",
        "training_files": [{"file_id": TRAIN_FILE}],
        "hyperparameters": {"training_steps": 10},
    }
    before = len(await all_items(client))
    response = await client.post(JOBS, params={"dry_run": "true"}, json=body)
    assert response.json()["object"] == "job.metadata"
    assert response.json()["train_tokens"] == response.json()["train_tokens_per_step"] * 10
    assert len(await all_items(client)) == before


async def test_files_and_models_endpoints(client: httpx.AsyncClient) -> None:
    files = (await client.get("/v1/files", params={"page_size": 5})).json()
    assert files["object"] == "list"
    assert len(files["data"]) == 5
    assert files["total"] > 5
    file_id = files["data"][0]["id"]
    assert (await client.get(f"/v1/files/{file_id}")).json()["id"] == file_id
    assert (await client.get(f"/v1/files/{MISSING}")).status_code == 404
    assert (await client.get("/v1/files/zzz")).status_code == 422
    models = (await client.get("/v1/models")).json()["data"]
    tuned = [m for m in models if m["type"] == "fine-tuned"]
    assert tuned
    assert any(m["type"] == "base" for m in models)
    model_id = tuned[0]["id"]
    archived = await client.post(f"/v1/fine_tuning/models/{model_id}/archive")
    assert archived.json() == {"id": model_id, "object": "model", "archived": True}
    restored = await client.delete(f"/v1/fine_tuning/models/{model_id}/archive")
    assert restored.json()["archived"] is False
    assert (await client.post("/v1/fine_tuning/models/ft:nope/archive")).status_code == 404
    assert (await client.get(f"/v1/models/{model_id}")).json()["id"] == model_id


async def test_auth_required_when_a_key_is_set(world: World, client_for, request_lines) -> None:
    app = create_app(world, api_key="sk-secret-123", request_log=request_lines.append)
    async with client_for(app) as anonymous:
        response = await anonymous.get(JOBS)
        assert response.status_code == 401
        body = response.json()
        assert body["message"] == "Unauthorized"
        assert len(body["request_id"]) == 32
        assert response.headers["content-type"] == "application/json; charset=utf-8"
    async with client_for(app, authorization="Bearer wrong") as wrong:
        assert (await wrong.get(JOBS)).status_code == 401
    async with client_for(app, authorization="Bearer sk-secret-123") as good:
        assert (await good.get(JOBS)).status_code == 200
    assert len(request_lines) == 3
    assert not any("sk-secret" in line or "Bearer" in line for line in request_lines)
    assert "sk-secret" not in repr(app.sim)


async def test_no_key_configured_accepts_anything(client_for, world: World) -> None:
    async with client_for(create_app(world), authorization="Bearer whatever") as any_key:
        assert (await any_key.get(JOBS)).status_code == 200


async def test_rate_limit_per_key_with_headers(
    world: World, clock: ManualClock, client_for
) -> None:
    app = create_app(world, rate_limit=3)
    async with (
        client_for(app, authorization="Bearer a") as a,
        client_for(app, authorization="Bearer b") as b,
    ):
        remaining = []
        for _ in range(3):
            response = await a.get(JOBS, params={"page_size": 1})
            assert response.status_code == 200
            assert response.headers["x-ratelimit-limit-req-minute"] == "3"
            remaining.append(int(response.headers["x-ratelimit-remaining-req-minute"]))
        assert remaining == [2, 1, 0]
        clock.advance(20)
        limited = await a.get(JOBS)
        assert limited.status_code == 429
        assert limited.json() == {
            "object": "error",
            "message": "Requests rate limit exceeded",
            "type": "rate_limited",
            "param": None,
            "code": "1300",
        }
        assert limited.headers["retry-after"] == "40"
        assert limited.headers["x-ratelimit-remaining-req-minute"] == "0"
        assert (await b.get(JOBS)).status_code == 200  # another key has its own window
        clock.advance(40)
        assert (await a.get(JOBS)).status_code == 200


async def test_request_log_lines(client: httpx.AsyncClient, request_lines, app) -> None:
    await client.get(JOBS, params={"status": "SUCCESS"})
    await client.get(f"{JOBS}/{MISSING}")
    assert len(request_lines) == 2
    assert request_lines[0].startswith("GET /v1/fine_tuning/jobs?status=SUCCESS 200 ")
    assert request_lines[1].startswith(f"GET {JOBS}/{MISSING} 404 ")
    assert request_lines[0].endswith("ms")
    assert app.sim.requests_served == 2
    assert [r.status for r in app.sim.records] == [200, 404]


async def test_responses_are_json_with_the_gateway_headers(client: httpx.AsyncClient) -> None:
    response = await client.get(JOBS, params={"page_size": 1})
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["content-length"]) == len(response.content)
    assert len(response.headers["x-kong-request-id"]) == 32
