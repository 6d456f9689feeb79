"""The HTTP client against httpx.MockTransport: errors, retries, paging, filters, secrecy."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from email.utils import formatdate
from typing import Any

import httpx
import orjson
import pytest
from api_payloads import RecordingClock, fixture_bytes, read_fixture

import tui
from tui.api.backoff import Backoff
from tui.api.client import MistralClient, RetryPolicy, format_timestamp
from tui.api.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PayloadError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)
from tui.api.models import ClassifierJobDetails, CompletionJobDetails
from tui.errors import ErrorKind, FinetopError, InsecureURLError

KEY = "sk-test-0123456789abcdef"
BASE = "https://api.mistral.ai"
JOB = "2813b7e6-c511-43ac-a16a-1a54a5b884b2"
DETAIL = fixture_bytes("job-detail-completion-100-steps-2024-05-docs.json")
JSON = {"content-type": "application/json"}

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class FakeApi:
    """Answers requests from a script of replies (the last one repeats) and records them."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply(request)
        return reply

    @property
    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def ok(body: bytes = DETAIL, **headers: str) -> httpx.Response:
    return httpx.Response(200, content=body, headers={**JSON, **headers})


def error(status: int, body: Any = None, **headers: str) -> httpx.Response:
    if isinstance(body, str | bytes):
        return httpx.Response(status, content=body, headers=headers)
    content = orjson.dumps(body) if body is not None else b""
    return httpx.Response(status, content=content, headers={**JSON, **headers})


def make_client(
    api: FakeApi,
    clock: RecordingClock,
    *,
    attempts: int = 4,
    key: str | None = KEY,
    **kwargs: Any,
) -> MistralClient:
    retry = RetryPolicy(attempts=attempts, backoff=Backoff(jitter=0.0))
    return MistralClient(
        BASE, key, transport=httpx.MockTransport(api), retry=retry, clock=clock, **kwargs
    )


# --------------------------------------------------------------------------- requests on the wire


async def test_requests_carry_auth_user_agent_and_json_accept(clock: RecordingClock) -> None:
    api = FakeApi(ok())
    async with make_client(api, clock) as client:
        job = await client.get_job(JOB)
    assert isinstance(job, CompletionJobDetails)
    (request,) = api.requests
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["user-agent"] == f"finetop/{tui.__version__}"
    assert request.headers["accept"] == "application/json"
    assert str(request.url) == f"{BASE}/v1/fine_tuning/jobs/{JOB}"


async def test_no_key_sends_no_authorization(clock: RecordingClock) -> None:
    api = FakeApi(ok())
    async with make_client(api, clock, key=None) as client:
        await client.get_job(JOB)
    assert "authorization" not in api.requests[0].headers


async def test_custom_user_agent_and_base_url_with_v1(clock: RecordingClock) -> None:
    api = FakeApi(ok())
    client = MistralClient(
        "https://api.mistral.ai/v1/",
        KEY,
        transport=httpx.MockTransport(api),
        clock=clock,
        user_agent="finetop/9 (test)",
    )
    async with client:
        await client.get_job(JOB)
    assert client.base_url == BASE
    assert api.requests[0].headers["user-agent"] == "finetop/9 (test)"
    assert api.requests[0].url.path == f"/v1/fine_tuning/jobs/{JOB}"


@pytest.mark.parametrize(
    ("call", "method", "path"),
    [
        (lambda c: c.get_job(JOB), "GET", f"/v1/fine_tuning/jobs/{JOB}"),
        (lambda c: c.cancel_job(JOB), "POST", f"/v1/fine_tuning/jobs/{JOB}/cancel"),
        (lambda c: c.start_job(JOB), "POST", f"/v1/fine_tuning/jobs/{JOB}/start"),
    ],
)
async def test_job_operations(
    clock: RecordingClock, call: Callable[[MistralClient], Any], method: str, path: str
) -> None:
    api = FakeApi(ok())
    async with make_client(api, clock) as client:
        job = await call(client)
    assert job.id == JOB
    assert api.paths == [f"{method} {path}"]


async def test_classifier_detail_comes_back_as_classifier(clock: RecordingClock) -> None:
    api = FakeApi(ok(fixture_bytes("job-classifier-validated-2025-04.json")))
    async with make_client(api, clock) as client:
        job = await client.start_job("db22ea7e")
    assert isinstance(job, ClassifierJobDetails)


async def test_archive_and_unarchive(clock: RecordingClock) -> None:
    model = "ft:open-mistral-7b:587a6b29:20240514:7e773925"
    api = FakeApi(
        ok(orjson.dumps({"id": model, "object": "model", "archived": True})),
        ok(orjson.dumps({"id": model, "object": "model", "archived": False})),
    )
    async with make_client(api, clock) as client:
        archived = await client.archive_model(model)
        unarchived = await client.unarchive_model(model)
    assert archived.archived is True
    assert unarchived.archived is False
    assert api.paths == [
        f"POST /v1/fine_tuning/models/{model}/archive",
        f"DELETE /v1/fine_tuning/models/{model}/archive",
    ]


async def test_ids_cannot_escape_their_path_segment(clock: RecordingClock) -> None:
    api = FakeApi(error(404, {"detail": "No fine tuning job matches the given query."}))
    async with make_client(api, clock) as client:
        with pytest.raises(NotFoundError):
            await client.get_job("../../files/x?y=1")
        with pytest.raises(ValidationError):
            await client.get_job("")
    assert api.requests[0].url.raw_path == b"/v1/fine_tuning/jobs/..%2F..%2Ffiles%2Fx%3Fy%3D1"
    assert len(api.requests) == 1


async def test_file_metadata_is_cached_and_the_cache_is_bounded(clock: RecordingClock) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        file_id = request.url.path.rsplit("/", 1)[1]
        body = {
            "id": file_id,
            "object": "file",
            "bytes": 10,
            "created_at": 1,
            "filename": f"{file_id}.jsonl",
        }
        return ok(orjson.dumps(body))

    api = FakeApi(answer)
    async with make_client(api, clock, file_cache_size=2) as client:
        first = await client.get_file("a")
        assert first.filename == "a.jsonl"
        assert await client.get_file("a") is first
        await client.get_file("b")
        await client.get_file("a")  # refreshes "a": "b" is now the oldest
        await client.get_file("c")  # evicts "b"
        await client.get_file("a")
        await client.get_file("b")
    assert api.paths == ["GET /v1/files/a", "GET /v1/files/b", "GET /v1/files/c", "GET /v1/files/b"]


# --------------------------------------------------------------------------- listing


async def test_list_jobs_sends_every_filter(clock: RecordingClock) -> None:
    api = FakeApi(ok(fixture_bytes("jobs-list-2024-07.json")))
    paris = timezone(timedelta(hours=2))
    async with make_client(api, clock) as client:
        page = await client.list_jobs(
            page=2,
            page_size=50,
            model="open-mistral-7b",
            created_after=datetime(2024, 7, 19, 18, 0, tzinfo=paris),
            created_before=datetime(2024, 7, 20, 1, 2, 3, 450000, tzinfo=UTC),
            created_by_me=True,
            status="RUNNING",
            wandb_project="proj",
            wandb_name="run 1",
            suffix="my-suffix",
        )
    assert page.total == 32
    assert dict(api.requests[0].url.params) == {
        "page": "2",
        "page_size": "50",
        "model": "open-mistral-7b",
        "created_after": "2024-07-19T16:00:00Z",
        "created_before": "2024-07-20T01:02:03.450000Z",
        "created_by_me": "true",
        "status": "RUNNING",
        "wandb_project": "proj",
        "wandb_name": "run 1",
        "suffix": "my-suffix",
    }


async def test_list_jobs_defaults_send_only_paging(clock: RecordingClock) -> None:
    api = FakeApi(ok(fixture_bytes("jobs-list-2024-07.json")))
    async with make_client(api, clock) as client:
        await client.list_jobs()
    assert dict(api.requests[0].url.params) == {"page": "0", "page_size": "100"}


def test_timestamps_are_utc_with_z() -> None:
    assert format_timestamp(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05Z"
    eastern = timezone(timedelta(hours=-5))
    assert format_timestamp(datetime(2024, 1, 2, 23, 0, tzinfo=eastern)) == "2024-01-03T04:00:00Z"


def paged_api(total: int, *, stop_at: int | None = None) -> FakeApi:
    """A server holding ``total`` jobs (optionally running dry after ``stop_at``)."""
    item = read_fixture("jobs-list-2024-07.json")["data"][0]

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        size = int(request.url.params["page_size"])
        end = min(total, stop_at if stop_at is not None else total)
        ids = range(page * size, min(end, (page + 1) * size))
        data = [{**item, "id": f"job-{i}"} for i in ids]
        return ok(orjson.dumps({"object": "list", "total": total, "data": data}))

    return FakeApi(answer)


async def test_iterating_pages_until_total(clock: RecordingClock) -> None:
    api = paged_api(250)
    async with make_client(api, clock) as client:
        pages = [page async for page in client.iter_job_pages(page_size=100, status="SUCCESS")]
        jobs = await client.list_all_jobs(page_size=100)
    assert [len(p.data) for p in pages] == [100, 100, 50]
    assert [r.url.params["page"] for r in api.requests[:3]] == ["0", "1", "2"]
    assert all(r.url.params["status"] == "SUCCESS" for r in api.requests[:3])
    assert len(jobs) == 250
    assert len({j.id for j in jobs}) == 250
    assert jobs[0].id == "job-0"


async def test_iteration_stops_on_an_empty_page_and_exact_multiples(clock: RecordingClock) -> None:
    api = paged_api(500, stop_at=120)
    async with make_client(api, clock) as client:
        jobs = await client.list_all_jobs(page_size=100)
    assert len(jobs) == 120
    assert len(api.requests) == 3  # the third page came back empty
    exact = paged_api(200)
    async with make_client(exact, clock) as client:
        assert len(await client.list_all_jobs(page_size=100)) == 200
    assert len(exact.requests) == 2


async def test_empty_list(clock: RecordingClock) -> None:
    api = FakeApi(ok(b'{"object": "list", "total": 0, "data": []}'))
    async with make_client(api, clock) as client:
        listing = await client.list_all_jobs()
    assert list(listing) == []
    assert not listing.truncated
    assert len(api.requests) == 1


async def test_overlapping_pages_list_each_job_once(clock: RecordingClock) -> None:
    item = read_fixture("jobs-list-2024-07.json")["data"][0]

    def page(ids: list[int]) -> httpx.Response:
        data = [{**item, "id": f"job-{i}"} for i in ids]
        return ok(orjson.dumps({"total": 4, "data": data}))

    # a job created between the two requests pushes job-1 onto the second page
    api = FakeApi(page([0, 1]), page([1, 2, 3]))
    async with make_client(api, clock) as client:
        jobs = await client.list_all_jobs(page_size=2)
    assert [j.id for j in jobs] == ["job-0", "job-1", "job-2", "job-3"]


# --------------------------------------------------------------------------- errors


OBSERVED = [e for e in read_fixture("errors-observed.json") if e["api"] == "mistral"]
CLASSES = {
    401: AuthenticationError,
    404: NotFoundError,
    422: ValidationError,
    429: RateLimitedError,
    500: ServerError,
}


@pytest.mark.parametrize("observed", [e for e in OBSERVED if isinstance(e["status"], int)])
async def test_observed_error_bodies(clock: RecordingClock, observed: dict[str, Any]) -> None:
    status = observed["status"]
    api = FakeApi(error(status, observed["body"]))
    async with make_client(api, clock, attempts=1) as client:
        with pytest.raises(CLASSES[status]) as caught:
            await client.get_job(JOB)
    assert caught.value.status == status
    assert "\n" not in caught.value.message
    assert 0 < len(str(caught.value)) < 200


async def test_authentication(clock: RecordingClock) -> None:
    api = FakeApi(
        error(401, {"message": "Unauthorized", "request_id": "c61f"}),
        error(403, {"detail": "Forbidden"}),
    )
    async with make_client(api, clock) as client:
        with pytest.raises(AuthenticationError) as first:
            await client.list_jobs()
        with pytest.raises(AuthenticationError) as second:
            await client.list_jobs()
    assert str(first.value) == "authentication failed (HTTP 401: Unauthorized) — check the API key"
    assert first.value.kind is ErrorKind.AUTH
    assert "access denied (HTTP 403: Forbidden)" in str(second.value)
    assert len(api.requests) == 2  # never retried
    assert clock.sleeps == []


async def test_a_401_without_a_key_says_no_key_is_set(clock: RecordingClock) -> None:
    api = FakeApi(error(401, {"message": "Unauthorized"}), error(401, {"message": "Unauthorized"}))
    async with make_client(api, clock, key=None) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_jobs()
        assert "Authorization" not in api.requests[0].headers
        assert str(caught.value).startswith("no API key set (HTTP 401: Unauthorized)")
        assert "MISTRAL_API_KEY" in str(caught.value)
        # A key read later is sent from then on, and a refusal then blames the key.
        client.set_api_key(KEY)
        with pytest.raises(AuthenticationError, match="authentication failed"):
            await client.list_jobs()
        assert api.requests[1].headers["Authorization"] == f"Bearer {KEY}"


async def test_not_found(clock: RecordingClock) -> None:
    body = {"detail": "No fine tuning job matches the given query."}
    api = FakeApi(error(404, body))
    async with make_client(api, clock) as client:
        with pytest.raises(NotFoundError) as job:
            await client.get_job(JOB)
        with pytest.raises(NotFoundError) as cancel:
            await client.cancel_job(JOB)
        with pytest.raises(NotFoundError) as listing:
            await client.list_jobs()
        with pytest.raises(NotFoundError) as file:
            await client.get_file("f")
    assert str(job.value) == "job not found — deleted or in another workspace"
    assert str(cancel.value) == "job not found — deleted or in another workspace"
    assert "is the base URL right?" in str(listing.value)
    assert str(file.value) == "file not found"
    assert job.value.kind is ErrorKind.NOT_FOUND


async def test_validation_detail_as_list_and_as_string(clock: RecordingClock) -> None:
    listed = {
        "detail": [
            {"type": "value_error", "loc": ["body", "job_in"], "msg": "Value error, need a file."},
            {"type": "missing", "loc": ["query", "page"], "msg": "Field required"},
        ]
    }
    api = FakeApi(
        error(422, listed), error(422, {"detail": "Model not available."}), error(400, "bad")
    )
    async with make_client(api, clock) as client:
        with pytest.raises(ValidationError) as first:
            await client.start_job(JOB)
        with pytest.raises(ValidationError) as second:
            await client.start_job(JOB)
        with pytest.raises(ValidationError) as third:
            await client.start_job(JOB)
    assert str(first.value) == (
        "rejected (HTTP 422): job_in: Value error, need a file.; page: Field required"
    )
    assert str(second.value) == "rejected (HTTP 422): Model not available."
    assert str(third.value) == "rejected (HTTP 400): bad"


async def test_conflict(clock: RecordingClock) -> None:
    api = FakeApi(error(409, {"detail": "Job is not in a state that allows cancellation."}))
    async with make_client(api, clock) as client:
        with pytest.raises(ConflictError) as caught:
            await client.cancel_job(JOB)
    assert (
        str(caught.value) == "conflict (HTTP 409): Job is not in a state that allows cancellation."
    )
    assert caught.value.kind is ErrorKind.CONFLICT


@pytest.mark.parametrize(
    "body",
    [
        {"message": "Requests rate limit exceeded"},
        {
            "object": "error",
            "message": "Rate limit exceeded",
            "type": "rate_limited",
            "param": None,
            "code": "1300",
        },
    ],
)
async def test_rate_limited_without_retries_reports_the_wait(
    clock: RecordingClock, body: Any
) -> None:
    api = FakeApi(error(429, body, **{"Retry-After": "12"}))
    async with make_client(api, clock, attempts=1) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.list_jobs()
    assert caught.value.retry_after == 12.0
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert "rate limited (HTTP 429: " in str(caught.value)
    assert "retry in 12 s" in str(caught.value)
    assert clock.sleeps == []


async def test_server_errors_summarise_html(clock: RecordingClock) -> None:
    html = (
        b"<!DOCTYPE html><html><head><title>520: Web server is returning an unknown error"
        b"</title></head><body>...</body></html>"
    )
    api = FakeApi(
        error(520, html, **{"content-type": "text/html; charset=UTF-8"}),
        error(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
        error(500, {"detail": "Internal Server Error"}),
        error(503, "upstream connect error\r\nor disconnect", **{"Retry-After": "4"}),
    )
    async with make_client(api, clock, attempts=1) as client:
        messages = []
        for _ in range(4):
            with pytest.raises(ServerError) as caught:
                await client.list_jobs()
            messages.append(str(caught.value))
            assert caught.value.kind is ErrorKind.SERVER
    assert messages == [
        "HTTP 520 from server (HTML error page)",
        "HTTP 502 from server (HTML error page)",
        "HTTP 500 from server: Internal Server Error",
        "HTTP 503 from server: upstream connect error or disconnect",
    ]
    assert caught.value.retry_after == 4.0


async def test_long_error_bodies_are_clipped(clock: RecordingClock) -> None:
    api = FakeApi(error(500, {"detail": "x" * 5000}))
    async with make_client(api, clock, attempts=1) as client:
        with pytest.raises(ServerError) as caught:
            await client.list_jobs()
    assert len(str(caught.value)) < 400


async def test_other_statuses(clock: RecordingClock) -> None:
    api = FakeApi(
        error(418, {"detail": "teapot"}),
        httpx.Response(302, headers={"location": "https://elsewhere.example"}),
    )
    async with make_client(api, clock) as client:
        with pytest.raises(ApiError, match=r"^HTTP 418: teapot$"):
            await client.list_jobs()
        with pytest.raises(ApiError, match="unexpected redirect"):
            await client.list_jobs()
    assert len(api.requests) == 2  # the redirect was not followed


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "cannot connect to api.mistral.ai"),
        (httpx.ConnectTimeout("timed out"), "timed out connecting to api.mistral.ai"),
        (httpx.ReadTimeout("timed out"), "api.mistral.ai did not answer in time"),
        (httpx.RemoteProtocolError("Server disconnected"), "connection to api.mistral.ai dropped"),
        (httpx.ReadError("reset by peer"), "connection to api.mistral.ai dropped"),
    ],
)
async def test_transport_errors(clock: RecordingClock, exc: Exception, text: str) -> None:
    api = FakeApi(exc)
    async with make_client(api, clock, attempts=1) as client:
        with pytest.raises(TransportError) as caught:
            await client.get_job(JOB)
    assert str(caught.value).startswith(text)
    assert caught.value.status is None
    assert caught.value.kind is ErrorKind.TRANSPORT


async def test_bad_success_bodies_are_payload_errors_with_context(clock: RecordingClock) -> None:
    broken = orjson.loads(DETAIL)
    broken["checkpoints"][3]["step_number"] = "70"
    api = FakeApi(
        ok(orjson.dumps(broken)),
        ok(b"<html>captive portal</html>", **{"content-type": "text/html"}),
        ok(b"{"),
    )
    async with make_client(api, clock) as client:
        with pytest.raises(PayloadError) as first:
            await client.get_job(JOB)
        with pytest.raises(PayloadError) as second:
            await client.get_job(JOB)
        with pytest.raises(PayloadError) as third:
            await client.get_job(JOB)
    assert str(first.value) == (
        f"GET /v1/fine_tuning/jobs/{JOB}: $.checkpoints[3].step_number: expected int"
    )
    assert first.value.problems == ("$.checkpoints[3].step_number: expected int",)
    assert "HTML page" in str(second.value)
    assert "invalid JSON" in str(third.value)
    assert len(api.requests) == 3  # a bad body is not retried


# --------------------------------------------------------------------------- retries


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried_with_growing_waits(
    clock: RecordingClock, status: int
) -> None:
    api = FakeApi(error(status, {"detail": "busy"}), error(status, {"detail": "busy"}), ok())
    async with make_client(api, clock) as client:
        job = await client.get_job(JOB)
    assert job.id == JOB
    assert len(api.requests) == 3
    assert clock.sleeps == [1.0, 2.0]


async def test_retries_give_up_after_the_attempts(clock: RecordingClock) -> None:
    api = FakeApi(error(503, {"detail": "down"}))
    async with make_client(api, clock, attempts=4) as client:
        with pytest.raises(ServerError):
            await client.list_jobs()
    assert len(api.requests) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


async def test_jittered_waits_stay_in_bounds(clock: RecordingClock) -> None:
    api = FakeApi(error(500, {"detail": "x"}))
    retry = RetryPolicy(attempts=5, backoff=Backoff(base=1.0, jitter=0.2, rng=random.Random(3)))
    client = MistralClient(BASE, KEY, transport=httpx.MockTransport(api), retry=retry, clock=clock)
    async with client:
        with pytest.raises(ServerError):
            await client.list_jobs()
    for attempt, wait in enumerate(clock.sleeps):
        assert 0.8 * 2**attempt <= wait <= 1.2 * 2**attempt


async def test_retry_after_seconds_is_honoured(clock: RecordingClock) -> None:
    api = FakeApi(
        error(429, {"message": "Requests rate limit exceeded"}, **{"Retry-After": "7"}), ok()
    )
    async with make_client(api, clock) as client:
        await client.get_job(JOB)
    assert len(clock.sleeps) == 1
    assert clock.sleeps[0] >= 7.0


async def test_retry_after_http_date_is_honoured(clock: RecordingClock) -> None:
    when = formatdate(clock.time() + 30, usegmt=True)
    api = FakeApi(error(503, {"detail": "maintenance"}, **{"Retry-After": when}), ok())
    async with make_client(api, clock) as client:
        await client.get_job(JOB)
    assert len(clock.sleeps) == 1
    assert clock.sleeps[0] >= 30.0


async def test_a_long_retry_after_goes_back_to_the_caller(clock: RecordingClock) -> None:
    api = FakeApi(error(429, {"message": "slow down"}, **{"Retry-After": "600"}))
    async with make_client(api, clock) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.list_jobs()
    assert caught.value.retry_after == 600.0
    assert clock.sleeps == []
    assert len(api.requests) == 1


async def test_attempts_one_disables_retries(clock: RecordingClock) -> None:
    api = FakeApi(error(503, {"detail": "x"}, **{"Retry-After": "2"}), ok())
    client = MistralClient(
        BASE, KEY, transport=httpx.MockTransport(api), retry=RetryPolicy(attempts=1), clock=clock
    )
    async with client:
        with pytest.raises(ServerError) as caught:
            await client.list_jobs()
    assert caught.value.retry_after == 2.0
    assert len(api.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("gone"),
    ],
)
async def test_transport_errors_are_retried_for_reads(
    clock: RecordingClock, exc: Exception
) -> None:
    api = FakeApi(exc, ok())
    async with make_client(api, clock) as client:
        await client.get_job(JOB)
    assert len(api.requests) == 2
    assert clock.sleeps == [1.0]


@pytest.mark.parametrize(
    "reply",
    [
        error(500, {"detail": "x"}),
        error(502, b"<html></html>"),
        error(503, {"detail": "x"}),
        error(504, {"detail": "x"}),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("gone"),
        httpx.ReadError("reset"),
    ],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.cancel_job(JOB),
        lambda c: c.start_job(JOB),
        lambda c: c.archive_model("ft:m"),
        lambda c: c.unarchive_model("ft:m"),
    ],
)
async def test_mutations_are_not_retried_once_they_may_have_arrived(
    clock: RecordingClock, reply: Reply, call: Callable[[MistralClient], Any]
) -> None:
    api = FakeApi(reply, ok())
    async with make_client(api, clock) as client:
        with pytest.raises((ServerError, TransportError)):
            await call(client)
    assert len(api.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "reply",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("slow"),
        error(429, {"message": "x"}, **{"Retry-After": "3"}),
    ],
)
async def test_mutations_are_retried_when_certainly_not_processed(
    clock: RecordingClock, reply: Reply
) -> None:
    api = FakeApi(reply, ok())
    async with make_client(api, clock) as client:
        job = await client.cancel_job(JOB)
    assert job.id == JOB
    assert len(api.requests) == 2
    assert len(clock.sleeps) == 1


# --------------------------------------------------------------------------- rate-limit headers


async def test_rate_limit_headers_of_the_last_response(clock: RecordingClock) -> None:
    api = FakeApi(
        ok(
            **{
                "x-ratelimit-limit-req-minute": "60",
                "x-ratelimit-remaining-req-minute": "58",
                "x-ratelimit-limit-tokens-minute": "500000",
                "x-ratelimit-remaining-tokens-minute": "499000",
            }
        ),
        ok(),
        error(
            429,
            {"message": "x"},
            **{"x-ratelimit-remaining-req-minute": "0", "x-ratelimit-limit-req-minute": "60"},
        ),
    )
    async with make_client(api, clock, attempts=1) as client:
        assert client.rate_limits is None
        await client.get_job(JOB)
        limits = client.rate_limits
        assert limits is not None
        assert limits.remaining_requests_minute == 58
        assert limits.limit_tokens_minute == 500000
        assert limits.summary() == "req 58/60 per min, tokens 499000/500000 per min"
        await client.get_job(JOB)  # no headers: the last known values stay
        assert client.rate_limits is limits
        with pytest.raises(RateLimitedError):
            await client.get_job(JOB)
        assert client.rate_limits.remaining_requests_minute == 0


# --------------------------------------------------------------------------- the key stays secret


async def test_the_key_never_shows(clock: RecordingClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = FakeApi(
        error(401, {"detail": f"key {KEY} is not valid"}),
        httpx.ConnectError(f"cannot reach host with Bearer {KEY}"),
        error(500, f"echo: Authorization: Bearer {KEY}"),
        error(503, {"detail": "busy"}),
        ok(),
    )
    client = make_client(api, clock, attempts=1)
    seen: list[str] = [repr(client), str(client), repr(vars(client)), repr(client._http)]
    async with client:
        for _ in range(4):
            with pytest.raises(ApiError) as caught:
                await client.get_job(JOB)
            seen += [
                str(caught.value),
                repr(caught.value),
                repr(caught.value.args),
                caught.value.message,
            ]
            assert caught.value.__cause__ is None
        await client.get_job(JOB)
        seen.append(repr(api.requests[-1].headers))
    seen += [record.getMessage() for record in caplog.records]
    seen += [repr(record.args) for record in caplog.records]
    assert any("[key hidden]" in text for text in seen)
    assert caplog.records  # something was logged, and none of it holds the key
    for text in seen:
        assert KEY not in text
        assert KEY[3:] not in text


def test_a_key_that_cannot_be_a_header_is_refused_without_echoing_it() -> None:
    with pytest.raises(FinetopError) as caught:
        MistralClient(BASE, "sk-secret\nX-Other: 1")
    assert "sk-secret" not in str(caught.value)


def test_blank_key_means_no_key() -> None:
    client = MistralClient(BASE, "  ")
    assert "authorization" not in {k.lower() for k in client._http.headers}


# --------------------------------------------------------------------------- plain http


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000",
        "http://127.1.2.3",
        "http://localhost:9000/",
        "http://[::1]:8000",
        "https://api.mistral.ai",
        "https://10.0.0.1",
    ],
)
def test_allowed_base_urls(url: str) -> None:
    MistralClient(url, KEY)


@pytest.mark.parametrize(
    "url",
    [
        "http://api.mistral.ai",
        "http://10.0.0.5:8000",
        "http://example.com",
        "http://127.0.0.1.example.com",
    ],
)
def test_plain_http_to_other_hosts_is_refused(url: str) -> None:
    with pytest.raises(InsecureURLError, match="refusing plain http://"):
        MistralClient(url, KEY)
    assert MistralClient(url, KEY, allow_insecure_http=True).base_url == url.rstrip("/")


@pytest.mark.parametrize("url", ["ftp://api.mistral.ai", "api.mistral.ai", "", "https://"])
def test_unusable_base_urls(url: str) -> None:
    with pytest.raises(InsecureURLError):
        MistralClient(url, KEY)


async def test_default_transport_has_timeouts_and_no_transport_retries() -> None:
    client = MistralClient(BASE, KEY, timeout=7.0, max_connections=2)
    async with client:
        timeout = client._http.timeout
        assert (timeout.read, timeout.write, timeout.connect) == (7.0, 7.0, 7.0)
        transport = client._http._transport
        assert isinstance(transport, httpx.AsyncHTTPTransport)
        pool = transport._pool
        assert pool._max_connections == 2
        assert pool._retries == 0
        assert client._http.follow_redirects is False
