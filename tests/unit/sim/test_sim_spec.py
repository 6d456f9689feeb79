"""Every body the simulator sends validates against the OpenAPI subset (jsonschema, 2020-12)."""

from __future__ import annotations

import httpx
import pytest

from tui.api.clock import ManualClock

JOBS = "/v1/fine_tuning/jobs"
TRAIN_FILE = "a3b6f2a2-3d0e-4c1b-9e55-0d6f0c7c9a11"


async def test_list_jobs_matches_jobs_out(client: httpx.AsyncClient, spec_check) -> None:
    for params in ({}, {"page": 1, "page_size": 7}, {"status": "RUNNING"}):
        response = await client.get(JOBS, params=params)
        spec_check(JOBS, "GET", 200, response.json())


async def test_every_job_detail_matches_its_schema(
    client: httpx.AsyncClient, clock: ManualClock, spec_check
) -> None:
    """Details of every seeded job, then again as the live ones move on."""
    ids = [item["id"] for item in (await client.get(JOBS)).json()["data"]]
    for _ in range(3):
        for job_id in ids:
            response = await client.get(f"{JOBS}/{job_id}")
            spec_check(f"{JOBS}/{{job_id}}", "GET", 200, response.json())
        clock.advance(7.0)


async def test_create_start_cancel_match_their_schemas(
    client: httpx.AsyncClient, clock: ManualClock, spec_check
) -> None:
    for job_type, model, extra in (
        ("completion", "open-mistral-7b", {}),
        (
            "classifier",
            "ministral-3b-latest",
            {"classifier_targets": [{"name": "intent", "labels": ["a", "b"]}]},
        ),
    ):
        body = {
            "model": model,
            "job_type": job_type,
            "auto_start": False,
            "training_files": [{"file_id": TRAIN_FILE}],
            "hyperparameters": {"training_steps": 20},
            **extra,
        }
        created = await client.post(JOBS, json=body)
        spec_check(JOBS, "POST", 200, created.json())
        job_id = created.json()["id"]
        clock.advance(600)
        detail = await client.get(f"{JOBS}/{job_id}")
        assert detail.json()["status"] == "VALIDATED"
        spec_check(f"{JOBS}/{{job_id}}", "GET", 200, detail.json())
        started = await client.post(f"{JOBS}/{job_id}/start")
        spec_check(f"{JOBS}/{{job_id}}/start", "POST", 200, started.json())
        clock.advance(0.1)
        cancelled = await client.post(f"{JOBS}/{job_id}/cancel")
        spec_check(f"{JOBS}/{{job_id}}/cancel", "POST", 200, cancelled.json())
    dry = await client.post(JOBS, params={"dry_run": "true"}, json=body)
    spec_check(JOBS, "POST", 200, dry.json())


async def test_files_models_and_archive_match(client: httpx.AsyncClient, spec_check) -> None:
    files = (await client.get("/v1/files")).json()
    spec_check("/v1/files", "GET", 200, files)
    one = (await client.get(f"/v1/files/{files['data'][0]['id']}")).json()
    spec_check("/v1/files/{file_id}", "GET", 200, one)
    models = (await client.get("/v1/models")).json()
    spec_check("/v1/models", "GET", 200, models)
    tuned = next(m["id"] for m in models["data"] if m["type"] == "fine-tuned")
    path = "/v1/fine_tuning/models/{model_id}/archive"
    archived = await client.post(f"/v1/fine_tuning/models/{tuned}/archive")
    spec_check(path, "POST", 200, archived.json())
    restored = await client.delete(f"/v1/fine_tuning/models/{tuned}/archive")
    spec_check(path, "DELETE", 200, restored.json())


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", JOBS, {"params": {"page": "x", "status": "NOPE"}}),
        ("GET", f"{JOBS}/123", {}),
        ("POST", JOBS, {"json": {"model": 3}}),
    ],
)
async def test_validation_errors_match_http_validation_error(
    client: httpx.AsyncClient, spec_check, method: str, url: str, kwargs: dict
) -> None:
    response = await client.request(method, url, **kwargs)
    assert response.status_code == 422
    spec_check("/v1/models", "GET", 422, response.json())
