"""What stands in front of the simulated API: latency, auth, rate limits, faults, headers, log.

It is one ASGI middleware so every response — routed, refused or injected — gets the same
headers, is counted once and is logged once. Responses are buffered (they are small JSON) so
faults can cut or rewrite them after the route has answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

import attrs
import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tui.sim.drift import drift_body
from tui.sim.faults import Fault, FaultInjector, FaultSpec
from tui.sim.ratelimit import RateDecision, RateLimiter
from tui.sim.world import World

__all__ = ["DROPPED_SCOPE_KEY", "GatewayMiddleware", "RequestRecord", "SimState"]

DROPPED_SCOPE_KEY = "finetop.dropped"
"""Set in the ASGI scope when the gateway decided to drop the connection."""

_LOG = logging.getLogger("finetop.sim")
_JSON = b"application/json"
_SECRET_PARAMS = ("key", "token", "secret", "password")

RATE_LIMITED_BODY: dict[str, Any] = {
    "object": "error",
    "message": "Requests rate limit exceeded",
    "type": "rate_limited",
    "param": None,
    "code": "1300",
}
_UPSTREAM_MESSAGES = {
    502: "An invalid response was received from the upstream server",
    503: "Service Unavailable",
    504: "The upstream server is timing out",
}
_HTML_PAGE = """<!DOCTYPE html>
<html lang="en-US">
<head><title>api.mistral.ai | {status}: {phrase}</title></head>
<body>
<div id="cf-error-details">
  <h1><span>{phrase}</span> <span>Error code {status}</span></h1>
  <p>Visit <a href="https://www.cloudflare.com/">cloudflare.com</a> for more information.</p>
  <p>Ray ID: {ray}</p>
</div>
</body>
</html>
"""


@attrs.frozen
class RequestRecord:
    """One served request, as tests and benchmarks see it. Never holds headers or keys."""

    method: str
    path: str
    status: int
    """The status sent; 0 for a dropped connection."""
    ms: float
    """Real time spent answering, in milliseconds."""
    at: float
    """The world's clock (monotonic) when the request arrived."""
    fault: str | None = None
    """The injected fault, if any (``"500"``, ``"drop"``, ``"slow"``…)."""

    def line(self) -> str:
        """The log line: method, path, status, duration."""
        status = "dropped" if self.status == 0 else str(self.status)
        tail = f" [fault {self.fault}]" if self.fault else ""
        return f"{self.method} {self.path} {status} {self.ms:.1f}ms{tail}"


class SimState:
    """Everything the simulated API shares across requests (``app.state.sim``)."""

    def __init__(
        self,
        world: World,
        *,
        api_key: str | None = None,
        rate_limit: int | None = None,
        faults: FaultSpec | str | None = None,
        request_log: Callable[[str], None] | None = None,
        fault_seed: int | None = None,
        max_records: int = 10_000,
        latency: float = 0.0,
        latency_jitter: float = 0.0,
    ) -> None:
        self.world = world
        self.latency = max(0.0, latency)
        """Seconds every response is held back: the round trip of a real network."""
        self.latency_jitter = max(0.0, latency_jitter)
        """Up to this many seconds more, drawn per response."""
        self._latency_rng = random.Random(f"{world.seed}:latency")
        """Draws the jitter, so that a seeded run's delays repeat."""
        self._api_key = api_key
        self.limiter = RateLimiter(rate_limit, world.clock) if rate_limit else None
        self.injector = FaultInjector(faults, world.seed if fault_seed is None else fault_seed)
        self.request_log = request_log
        self.requests_served = 0
        """Responses sent (and connections dropped) since the app was created."""
        self.records: deque[RequestRecord] = deque(maxlen=max_records)
        """The most recent requests, oldest first (bounded)."""
        self._request_ids = 0
        self._slow: set[asyncio.Future[None]] = set()
        """Pending waits (latency, ``slow`` faults), for shutdown to end rather than cancel."""

    def __repr__(self) -> str:
        # The key is never shown, only whether one is required.
        return (
            f"SimState(auth={'on' if self._api_key is not None else 'off'}, "
            f"rate_limit={self.limiter.per_minute if self.limiter else None}, "
            f"faults={str(self.injector.spec)!r}, served={self.requests_served})"
        )

    @property
    def auth_required(self) -> bool:
        return self._api_key is not None

    @property
    def faults(self) -> FaultSpec:
        """The faults currently injected."""
        return self.injector.spec

    def set_faults(self, spec: FaultSpec | str | None) -> None:
        """Change the injected faults at run time; ``None`` turns them off."""
        self.injector.set_spec(spec)

    def authorized(self, header: str | None) -> bool:
        """Whether an ``Authorization`` header carries the key (always, when none is set)."""
        if self._api_key is None:
            return True
        expected = f"Bearer {self._api_key}".encode()
        return hmac.compare_digest((header or "").encode(), expected)

    def next_request_id(self) -> str:
        """A gateway-style request id (32 hex digits), deterministic per app."""
        self._request_ids += 1
        seed = f"{self.world.seed}:{self._request_ids}".encode()
        return hashlib.md5(seed, usedforsecurity=False).hexdigest()

    @property
    def delayed_responses(self) -> int:
        """How many responses latency or a ``slow`` fault is holding back right now."""
        return len(self._slow)

    def next_latency(self) -> float:
        """The delay of the next response (seeded, so a run's delays repeat)."""
        if self.latency_jitter == 0.0:
            return self.latency
        return self.latency + self._latency_rng.uniform(0.0, self.latency_jitter)

    async def slow_down(self, seconds: float) -> None:
        """Wait ``seconds`` on the world's clock, unless :meth:`end_slow_waits` cuts it short."""
        wait = asyncio.ensure_future(self.world.clock.sleep(seconds))
        self._slow.add(wait)
        try:
            await asyncio.wait({wait})
        finally:
            self._slow.discard(wait)
            wait.cancel()

    def end_slow_waits(self) -> None:
        """Let every delayed response go now (called on shutdown, in the server's loop)."""
        for wait in list(self._slow):
            wait.cancel()

    def record(self, record: RequestRecord) -> None:
        self.requests_served += 1
        self.records.append(record)
        line = record.line()
        if self.request_log is not None:
            self.request_log(line)
        else:
            _LOG.info("%s", line)


@attrs.define
class _Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> _Answer:
    pairs = [(b"content-type", _JSON)]
    pairs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return _Answer(status, pairs, orjson.dumps(body))


def _fault_answer(fault: Fault, injector: FaultInjector, request_id: str) -> _Answer:
    status = fault.status or 500
    if fault.kind == "html":
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Web server is returning an unknown error"
        page = _HTML_PAGE.format(status=status, phrase=phrase, ray=request_id[:16])
        return _Answer(status, [(b"content-type", b"text/html; charset=UTF-8")], page.encode())
    if status == 429:
        retry = str(injector.retry_after())
        return _json_answer(429, RATE_LIMITED_BODY, {"retry-after": retry})
    if status in _UPSTREAM_MESSAGES:
        headers = {"retry-after": str(injector.retry_after())} if status == 503 else None
        body = {"message": _UPSTREAM_MESSAGES[status], "request_id": request_id}
        return _json_answer(status, body, headers)
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown Error"
    return _json_answer(status, {"detail": phrase})


def _loggable_path(scope: Scope) -> str:
    path = scope.get("path", "")
    raw = scope.get("query_string", b"").decode("latin-1")
    if not raw:
        return path
    pairs = [
        (k, "***" if any(s in k.lower() for s in _SECRET_PARAMS) else v)
        for k, v in parse_qsl(raw, keep_blank_values=True)
    ]
    return f"{path}?{urlencode(pairs)}"


class GatewayMiddleware:
    """Latency -> auth -> rate limit -> faults -> routes -> rewriting faults -> headers -> log."""

    def __init__(self, app: ASGIApp, state: SimState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        started = time.perf_counter()
        arrived = state.world.clock.monotonic()
        latency = state.next_latency()
        if latency > 0:
            # Awaited like a slow fault: the loop serves other requests meanwhile.
            await state.slow_down(latency)
        headers = Headers(scope=scope)
        request_id = state.next_request_id()
        decision: RateDecision | None = None
        fault: Fault | None = None
        answer: _Answer | None = None

        if not state.authorized(headers.get("authorization")):
            answer = _Answer(
                401,
                [(b"content-type", b"application/json; charset=utf-8")],
                orjson.dumps({"message": "Unauthorized", "request_id": request_id}),
            )
        elif state.limiter is not None:
            # Limits are per key; the key itself is only ever kept as a hash.
            key = hashlib.sha256((headers.get("authorization") or "").encode()).hexdigest()
            decision = state.limiter.check(key)
            if not decision.allowed:
                answer = _json_answer(
                    429, RATE_LIMITED_BODY, {"retry-after": str(decision.retry_after)}
                )
        if answer is None:
            fault = state.injector.draw()
            if fault is not None and fault.kind in ("status", "html"):
                answer = _fault_answer(fault, state.injector, request_id)
            elif fault is not None and fault.kind == "drop":
                scope[DROPPED_SCOPE_KEY] = True
                state.record(
                    RequestRecord(
                        scope["method"],
                        _loggable_path(scope),
                        0,
                        (time.perf_counter() - started) * 1000,
                        arrived,
                        "drop",
                    )
                )
                return
            elif fault is not None and fault.kind == "slow":
                await state.slow_down(fault.delay)
        if answer is None:
            answer = await self._call_routes(scope, receive)
            if fault is not None and fault.kind == "drift":
                answer.body = self._drift(answer)
            elif fault is not None and fault.kind == "truncate":
                answer.body = answer.body[: max(1, len(answer.body) // 2)]
        # Counted before sending, so a client that has its answer sees it counted.
        state.record(
            RequestRecord(
                scope["method"],
                _loggable_path(scope),
                answer.status,
                (time.perf_counter() - started) * 1000,
                arrived,
                None if fault is None else str(fault).partition(":")[0],
            )
        )
        await self._send(send, answer, decision, request_id)

    def _drift(self, answer: _Answer) -> bytes:
        try:
            body = orjson.loads(answer.body)
        except orjson.JSONDecodeError:
            return answer.body
        return orjson.dumps(drift_body(body, self.state.injector.rng))

    async def _call_routes(self, scope: Scope, receive: Receive) -> _Answer:
        answer = _Answer(500, [], b"")
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status = message["status"]
                answer.headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        answer.body = b"".join(chunks)
        return answer

    async def _send(
        self, send: Send, answer: _Answer, decision: RateDecision | None, request_id: str
    ) -> None:
        headers = [(k, v) for k, v in answer.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(answer.body)).encode()))
        headers.append((b"x-kong-request-id", request_id.encode()))
        limiter = self.state.limiter
        if limiter is not None:
            remaining = decision.remaining if decision is not None else limiter.per_minute
            headers.append((b"x-ratelimit-limit-req-minute", str(limiter.per_minute).encode()))
            headers.append((b"x-ratelimit-remaining-req-minute", str(remaining).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.body, "more_body": False})
