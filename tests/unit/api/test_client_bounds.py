"""The client's bounds against a hostile server (httpx.MockTransport): body size on the wire and
inflated, one deadline per request, capped Retry-After, the page budget, redaction of the key
before any cut, and ids that must stay one path segment."""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import orjson
import pytest
from api_payloads import RecordingClock, fixture_bytes, read_fixture
from support.bombs import GzipBomb

from tui.api.backoff import Backoff
from tui.api.bounds import MIB, ClientBounds
from tui.api.client import MistralClient, RetryPolicy
from tui.api.errors import (
    AuthenticationError,
    DeadlineExceededError,
    PayloadError,
    RateLimitedError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    ValidationError,
)
from tui.errors import ErrorKind

KEY = "sk-test-0123456789abcdef"
ODD_KEY = "sk-test+abc/def=0123456789"
"""A key with characters that URL-encoding changes."""
BASE = "https://api.mistral.ai"
JOB = "2813b7e6-c511-43ac-a16a-1a54a5b884b2"
DETAIL = fixture_bytes("job-detail-completion-100-steps-2024-05-docs.json")
JSON = {"content-type": "application/json"}


class Drip(httpx.AsyncByteStream):
    """A response body produced piece by piece, remembering how much was taken from it."""

    def __init__(self, pieces: Iterable[bytes], pause: float = 0.0) -> None:
        self._pieces = pieces
        self._pause = pause
        self.taken = 0
        """Bytes the client pulled."""
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            if self._pause:
                await asyncio.sleep(self._pause)  # the server's own pace, not a wait for a race
            self.taken += len(piece)
            yield piece

    async def aclose(self) -> None:
        self.closed = True


class Server:
    """Answers every request with ``reply(request)``, recording the requests."""

    def __init__(self, reply: Callable[[httpx.Request], httpx.Response]) -> None:
        self.reply = reply
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply(request)


def client_for(
    server: Server | Callable[[httpx.Request], Any],
    clock: RecordingClock,
    *,
    key: str | None = KEY,
    attempts: int = 4,
    **bounds: Any,
) -> MistralClient:
    return MistralClient(
        BASE,
        key,
        transport=httpx.MockTransport(server),
        retry=RetryPolicy(attempts=attempts, backoff=Backoff(jitter=0.0)),
        clock=clock,
        bounds=ClientBounds(**bounds),
    )


def streamed(
    body: Drip, status: int = 200, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status, headers={**JSON, **(headers or {})}, stream=body)


def assert_no_part_of(key: str, text: str) -> None:
    """Not the key, nor any piece of it long enough to matter (6 characters or more)."""
    for size in range(6, len(key) + 1):
        for start in range(len(key) - size + 1):
            part = key[start : start + size]
            for spelling in {part, part.lower(), part.upper(), quote(part, safe="")}:
                assert spelling not in text, f"{spelling!r} of the key shows in {text!r}"


# --------------------------------------------------------------------------- body size


async def test_a_gzip_bomb_is_refused_without_inflating_it(clock: RecordingClock) -> None:
    bomb = GzipBomb(3 * 1024 * MIB)  # 3 GiB of zeros in 3 MiB; each 4 KiB piece is 4 MiB
    body = Drip(bomb)
    server = Server(streamed(body, headers={"content-encoding": "gzip"}))
    tracemalloc.start()
    try:
        async with client_for(server, clock, max_response_bytes=256 * 1024) as client:
            with pytest.raises(ResponseTooLargeError) as caught:
                await client.get_job(JOB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(caught.value)
    assert message == (
        f"response too large: GET /v1/fine_tuning/jobs/{JOB} sent a body that inflates past "
        "256 KiB (see max_response_mib)"
    )
    assert caught.value.kind is ErrorKind.PAYLOAD
    # The cap held: inflating any one piece whole (as httpx's decoders do) would allocate 4 MiB.
    assert peak < 2 * MIB, f"peak allocation {peak / MIB:.1f} MiB"
    assert body.taken == len(bomb.first)  # the first piece was enough to refuse it
    assert body.closed
    assert len(server.requests) == 1  # a bomb is not retried


async def test_a_declared_length_over_the_cap_is_refused_before_reading(
    clock: RecordingClock,
) -> None:
    body = Drip([b"x" * 1024] * 10)
    server = Server(streamed(body, headers={"content-length": str(5 * MIB)}))
    async with client_for(server, clock, max_response_bytes=MIB) as client:
        with pytest.raises(ResponseTooLargeError, match=r"announced 5 MiB, over 1 MiB"):
            await client.list_jobs()
    assert body.taken == 0


async def test_a_plain_body_is_cut_off_on_the_wire(clock: RecordingClock) -> None:
    body = Drip([b" " * 64 * 1024] * 1000)  # 64 MiB of whitespace, no Content-Length
    server = Server(streamed(body))
    async with client_for(server, clock, max_response_bytes=MIB) as client:
        with pytest.raises(ResponseTooLargeError, match=r"sent more than 1 MiB"):
            await client.list_jobs()
    assert body.taken <= MIB + 64 * 1024


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw, as some servers send it
        ("identity", lambda data: data),
    ],
)
async def test_compressed_bodies_within_the_cap_are_read(
    clock: RecordingClock, encoding: str, pack: Callable[[bytes], bytes]
) -> None:
    packed = pack(DETAIL)
    chunks = [packed[i : i + 100] for i in range(0, len(packed), 100)]
    server = Server(streamed(Drip(chunks), headers={"content-encoding": encoding}))
    async with client_for(server, clock, max_response_bytes=len(DETAIL)) as client:
        job = await client.get_job(JOB)
    assert job.id == JOB
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


async def test_a_body_of_exactly_the_cap_is_accepted_and_one_byte_more_is_not(
    clock: RecordingClock,
) -> None:
    packed = gzip.compress(DETAIL)
    server = Server(
        lambda _: httpx.Response(
            200, headers={**JSON, "content-encoding": "gzip"}, stream=Drip([packed])
        )
    )
    async with client_for(server, clock, max_response_bytes=len(DETAIL)) as client:
        assert (await client.get_job(JOB)).id == JOB
    async with client_for(server, clock, max_response_bytes=len(DETAIL) - 1) as client:
        with pytest.raises(ResponseTooLargeError):
            await client.get_job(JOB)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"content-encoding": "br"}, b"\x0b\x02\x80{}\x03", "unsupported Content-Encoding 'br'"),
        ({"content-encoding": "gzip, gzip"}, b"", "unsupported Content-Encoding 'gzip, gzip'"),
        ({"content-encoding": "gzip"}, b"\x1f\x8b not gzip at all", "compressed body is corrupt"),
    ],
)
async def test_undecodable_bodies_are_payload_errors(
    clock: RecordingClock, headers: dict[str, str], body: bytes, expected: str
) -> None:
    server = Server(streamed(Drip([body]), headers=headers))
    async with client_for(server, clock) as client:
        with pytest.raises(PayloadError) as caught:
            await client.get_job(JOB)
    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"GET /v1/fine_tuning/jobs/{JOB}: ")
    assert len(server.requests) == 1


async def test_a_huge_error_body_still_gives_the_status(clock: RecordingClock) -> None:
    body = Drip([b'{"message": "' + b"x" * 64 * 1024] * 200)  # 12.5 MiB, never ending JSON
    server = Server(streamed(body, status=401))
    async with client_for(server, clock) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_jobs()
    assert str(caught.value) == "authentication failed (HTTP 401) — check the API key"
    assert body.taken <= 2 * 64 * 1024  # only the first 64 KiB of an error body are read


# --------------------------------------------------------------------------- the deadline


async def test_a_dripping_body_meets_the_deadline(clock: RecordingClock) -> None:
    drips: list[Drip] = []

    def answer(request: httpx.Request) -> httpx.Response:
        drips.append(Drip((b" " for _ in range(10_000)), pause=0.02))
        return httpx.Response(200, headers=JSON, stream=drips[-1])

    server = Server(answer)
    async with client_for(server, clock, request_deadline=0.3) as client:
        with pytest.raises(DeadlineExceededError) as caught:
            await client.list_jobs()
    assert str(caught.value) == (
        "no complete answer from api.mistral.ai within 0.3 s — GET /v1/fine_tuning/jobs"
    )
    assert isinstance(caught.value, TransportError)
    assert caught.value.kind is ErrorKind.TRANSPORT
    assert len(server.requests) == 1  # the next try would cost the whole deadline again
    assert 0 < drips[0].taken < 10_000
    assert drips[0].closed  # the connection was let go


async def test_a_server_that_never_answers_meets_the_deadline(clock: RecordingClock) -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async with client_for(never, clock, request_deadline=0.2) as client:
        with pytest.raises(DeadlineExceededError, match=r"within 0.2 s"):
            await client.get_job(JOB)


# --------------------------------------------------------------------------- Retry-After


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1000000000", 900.0),
        ("1e308", 900.0),
        ("inf", 900.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 900.0),
        ("-5", 0.0),
        ("nan", None),
        ("30", 30.0),
    ],
)
async def test_retry_after_is_capped(
    clock: RecordingClock, header: str, expected: float | None
) -> None:
    server = Server(lambda _: httpx.Response(429, headers={"retry-after": header}))
    async with client_for(server, clock, attempts=1) as client:
        with pytest.raises(RateLimitedError) as caught:
            await client.list_jobs()
    assert caught.value.retry_after == expected
    if expected is not None:
        assert str(caught.value).endswith(f"; retry in {expected:.0f} s")


async def test_the_retry_after_cap_is_a_bound_of_its_own(clock: RecordingClock) -> None:
    answers = iter(
        [httpx.Response(503, headers={"retry-after": "1e308"}), httpx.Response(200, content=DETAIL)]
    )
    server = Server(lambda _: next(answers))
    async with client_for(server, clock, max_retry_after=5.0) as client:
        await client.get_job(JOB)
    assert clock.sleeps == [5.0]  # waited the cap, then tried again


# --------------------------------------------------------------------------- the page budget


def endless_pages(request: httpx.Request) -> httpx.Response:
    """Full pages forever, claiming 10^12 jobs."""
    item = read_fixture("jobs-list-2024-07.json")["data"][0]
    page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
    data = [{**item, "id": f"job-{page * size + i}"} for i in range(size)]
    return httpx.Response(200, content=orjson.dumps({"total": 10**12, "data": data}), headers=JSON)


async def test_a_listing_stops_at_the_page_budget_and_says_so(clock: RecordingClock) -> None:
    server = Server(endless_pages)
    async with client_for(server, clock, max_list_pages=3) as client:
        listing = await client.list_all_jobs(page_size=50)
        pages = [page async for page in client.iter_job_pages(page_size=10)]
    assert listing.truncated
    assert listing.claimed_total == 10**12
    assert len(listing) == 150
    assert listing[0].id == "job-0"
    assert [job.id for job in listing][-1] == "job-149"
    assert len(pages) == 3
    assert len(server.requests) == 6


async def test_a_complete_listing_is_not_truncated(clock: RecordingClock) -> None:
    item = read_fixture("jobs-list-2024-07.json")["data"][0]

    def three_pages(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        data = [{**item, "id": f"job-{page}-{i}"} for i in range(2 if page < 2 else 1)]
        return httpx.Response(200, content=orjson.dumps({"total": 5, "data": data}), headers=JSON)

    async with client_for(Server(three_pages), clock, max_list_pages=3) as client:
        listing = await client.list_all_jobs(page_size=2)
    assert len(listing) == 5
    assert not listing.truncated
    assert listing.claimed_total == 5


# --------------------------------------------------------------------------- redaction


def error_body(detail: str) -> Callable[[httpx.Request], httpx.Response]:
    content = orjson.dumps({"message": detail})
    return lambda _: httpx.Response(401, content=content, headers=JSON)


@pytest.mark.parametrize(
    "echo",
    [
        pytest.param("x" * 279 + KEY + " was refused", id="at-character-279"),
        pytest.param("x" * 295 + KEY, id="split-across-the-cut"),
        pytest.param("Bearer " + KEY.upper() + " is not valid", id="upper-case"),
        pytest.param("bearer " + KEY.lower(), id="lower-case"),
        pytest.param(f"token {KEY} and again {KEY}", id="twice"),
    ],
)
async def test_an_echoed_key_is_hidden_before_the_message_is_cut(
    clock: RecordingClock, echo: str
) -> None:
    async with client_for(Server(error_body(echo)), clock) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_jobs()
    message = str(caught.value)
    assert_no_part_of(KEY, message)
    assert message.startswith("authentication failed (HTTP 401: ")
    assert len(message) < 400


@pytest.mark.parametrize(
    "echo",
    [
        f"GET /v1/models?key={quote(ODD_KEY, safe='')} refused",
        f"GET /v1/models?key={quote(ODD_KEY, safe='').lower()} refused",
        f"form: key={quote_plus(ODD_KEY)}",
        f"raw: {ODD_KEY}",
    ],
)
async def test_a_url_encoded_key_is_hidden(clock: RecordingClock, echo: str) -> None:
    assert quote(ODD_KEY, safe="") != ODD_KEY
    async with client_for(Server(error_body(echo)), clock, key=ODD_KEY) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_jobs()
    assert "[key hidden]" in str(caught.value)
    assert_no_part_of(ODD_KEY, str(caught.value))


async def test_a_key_in_an_exception_is_hidden_before_its_cut(clock: RecordingClock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("x" * 110 + KEY.swapcase())

    async with client_for(refuse, clock, attempts=1) as client:
        with pytest.raises(TransportError) as caught:
            await client.list_jobs()
    assert str(caught.value).startswith("cannot connect to api.mistral.ai (")
    assert_no_part_of(KEY, str(caught.value))


async def test_an_id_in_a_message_stays_percent_encoded(clock: RecordingClock) -> None:
    server = Server(lambda _: httpx.Response(200, content=b"{", headers=JSON))
    async with client_for(server, clock) as client:
        with pytest.raises(PayloadError) as caught:
            await client.get_job("job\x1b[2J\n")
    assert str(caught.value).startswith("GET /v1/fine_tuning/jobs/job%1B%5B2J%0A: ")


async def test_a_key_in_a_payload_error_context_is_hidden(clock: RecordingClock) -> None:
    server = Server(lambda _: httpx.Response(200, content=b"{", headers=JSON))
    async with client_for(server, clock) as client:
        with pytest.raises(PayloadError) as caught:
            await client.get_job(KEY)
    assert str(caught.value).startswith("GET /v1/fine_tuning/jobs/[key hidden]: ")
    assert_no_part_of(KEY, str(caught.value))


@pytest.mark.parametrize("depth", [900, 5000, 200_000])
async def test_deeply_nested_error_bodies_are_read_without_recursing(
    clock: RecordingClock, depth: int
) -> None:
    body = b'{"error": ' * depth + b'"deep"' + b"}" * depth
    server = Server(lambda _: httpx.Response(500, content=body, headers=JSON))
    async with client_for(server, clock, attempts=1) as client:
        with pytest.raises(ServerError) as caught:
            await client.list_jobs()
    assert str(caught.value).startswith("HTTP 500 from server")
    assert len(str(caught.value)) < 400


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize("bad", ["", ".", "..", " ", "\t\n"])
@pytest.mark.parametrize(
    "call",
    [
        lambda c, i: c.get_job(i),
        lambda c, i: c.cancel_job(i),
        lambda c, i: c.start_job(i),
        lambda c, i: c.get_file(i),
        lambda c, i: c.archive_model(i),
        lambda c, i: c.unarchive_model(i),
    ],
)
async def test_ids_that_cannot_be_a_segment_are_refused_before_any_request(
    clock: RecordingClock, bad: str, call: Callable[[MistralClient, str], Any]
) -> None:
    server = Server(lambda _: httpx.Response(200, content=DETAIL, headers=JSON))
    async with client_for(server, clock) as client:
        with pytest.raises(ValidationError, match=r"^not a valid (job|file|model) id: "):
            await call(client, bad)
    assert server.requests == []


@pytest.mark.parametrize(
    ("job_id", "raw_path"),
    [
        ("a/b", b"/v1/fine_tuning/jobs/a%2Fb/cancel"),
        ("a?b=1#c", b"/v1/fine_tuning/jobs/a%3Fb%3D1%23c/cancel"),
        ("50%", b"/v1/fine_tuning/jobs/50%25/cancel"),
        ("...", b"/v1/fine_tuning/jobs/.../cancel"),
        ("../x", b"/v1/fine_tuning/jobs/..%2Fx/cancel"),
        (" x ", b"/v1/fine_tuning/jobs/%20x%20/cancel"),
        ("é", b"/v1/fine_tuning/jobs/%C3%A9/cancel"),
        ("ft:open-mistral-7b:a1", b"/v1/fine_tuning/jobs/ft:open-mistral-7b:a1/cancel"),
    ],
)
async def test_odd_ids_reach_their_own_path(
    clock: RecordingClock, job_id: str, raw_path: bytes
) -> None:
    server = Server(lambda _: httpx.Response(200, content=DETAIL, headers=JSON))
    async with client_for(server, clock) as client:
        await client.cancel_job(job_id)
    [request] = server.requests
    assert request.method == "POST"
    assert request.url.raw_path == raw_path
    assert request.url.query == b""
