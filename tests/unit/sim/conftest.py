"""Fixtures for the simulator's tests: a stepped clock, a world, the app in process, the spec."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tui.api.clock import ManualClock
from tui.sim.app import SimApp, create_app
from tui.sim.world import World

START = 1_764_000_000.0
"""2025-11-24T16:00:00Z, a fixed 'now' for every test world."""

_REPO = Path(__file__).resolve().parents[3]
_SPEC_URI = "urn:mistral-openapi-subset"


def spec_path() -> Path:
    """The OpenAPI subset: the copy in tests/fixtures, else the shared one next to the repo."""
    for candidate in (
        _REPO / "tests" / "fixtures" / "mistral-openapi-subset.yaml",
        _REPO.parent / "shared" / "mistral-openapi-subset.yaml",
    ):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("mistral-openapi-subset.yaml not found")


_NUMERIC_KEYWORDS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)


def _fix_numbers(node: Any) -> Any:
    """PyYAML (YAML 1.1) reads ``1e-08`` as a string; schema bounds must be numbers."""
    if isinstance(node, dict):
        return {
            k: float(v) if k in _NUMERIC_KEYWORDS and isinstance(v, str) else _fix_numbers(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_fix_numbers(v) for v in node]
    return node


@cache
def _spec() -> tuple[dict[str, Any], Registry]:
    spec = _fix_numbers(yaml.safe_load(spec_path().read_text(encoding="utf-8")))
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    return spec, Registry().with_resource(_SPEC_URI, resource)


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


SpecCheck = Callable[[str, str, int, Any], None]


def check_against_spec(path: str, method: str, status: int, body: Any) -> None:
    """Validate ``body`` against the schema the spec declares for that operation and status.

    Statuses the spec does not list for the operation (401, 404, 409, 429…) are checked
    against nothing; 422 bodies against ``HTTPValidationError``.
    """
    spec, registry = _spec()
    responses = spec["paths"][path][method.lower()]["responses"]
    if str(status) in responses:
        ref = "#/" + _pointer(
            "paths",
            path,
            method.lower(),
            "responses",
            str(status),
            "content",
            "application/json",
            "schema",
        )
    elif status == 422:
        ref = "#/components/schemas/HTTPValidationError"
    else:
        raise AssertionError(f"the spec lists no {status} for {method} {path}")
    validator = jsonschema.Draft202012Validator(
        {"$ref": _SPEC_URI + ref},
        registry=registry,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in errors[:10]
    )


@pytest.fixture
def spec_check() -> SpecCheck:
    return check_against_spec


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def parked(clock: ManualClock) -> Callable[[], Awaitable[None]]:
    """Waits, yielding to the event loop, until a request sleeps on the clock (latency, slow)."""

    async def wait() -> None:
        for _ in range(200):
            if clock.pending_sleeps:
                return
            await asyncio.sleep(0)
        raise AssertionError("no request is waiting on the clock")

    return wait


Held = Callable[["asyncio.Task[httpx.Response]", float], Awaitable[httpx.Response]]


@pytest.fixture
def held(clock: ManualClock, parked: Callable[[], Awaitable[None]]) -> Held:
    """Checks that a request is held ``seconds`` on the clock: unanswered just before that much
    time has passed, answered just after; returns the response."""

    async def check(request: asyncio.Task[httpx.Response], seconds: float) -> httpx.Response:
        await parked()
        assert clock.pending_sleeps == 1
        clock.advance(seconds * 0.95)
        await asyncio.sleep(0)
        assert not request.done()
        clock.advance(seconds * 0.1)
        return await asyncio.wait_for(request, 5)

    return check


@pytest.fixture
def world(clock: ManualClock) -> World:
    """A 40-job workspace with 3 live jobs and no arrivals (so counts stay put)."""
    return World(seed=7, jobs=40, live=3, speed=60.0, clock=clock, arrivals=False)


@pytest.fixture
def request_lines() -> list[str]:
    return []


@pytest.fixture
def app(world: World, request_lines: list[str]) -> SimApp:
    return create_app(world, request_log=request_lines.append)


@pytest.fixture
async def client(app: SimApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as http:
        yield http


ClientFor = Callable[..., httpx.AsyncClient]


@pytest.fixture
def client_for() -> ClientFor:
    """Makes an in-process client for an app built inside a test: ``client_for(app, **headers)``."""

    def make(app: SimApp, **headers: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url="http://sim", headers=headers)

    return make
