"""The simulated Mistral API as a Starlette application.

Routes cover the fine-tuning subset finetop uses (jobs: list, create, get, cancel, start;
files; models; archive/unarchive) and answer with the real payload shapes, status codes and
error bodies. :class:`~tui.sim.gateway.GatewayMiddleware` adds auth, rate limits and faults.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from tui.sim.faults import FaultSpec
from tui.sim.gateway import DROPPED_SCOPE_KEY, GatewayMiddleware, SimState
from tui.sim.problems import SimProblem, field_error, invalid
from tui.sim.validation import parse_job_in, parse_job_query, parse_page, parse_uuid
from tui.sim.world import World

__all__ = ["SimApp", "create_app"]


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _world(request: Request) -> World:
    state: SimState = request.app.state.sim
    return state.world


async def list_jobs(request: Request) -> Response:
    query = parse_job_query(request.query_params)
    total, items = _world(request).list_jobs(query)
    return _json({"data": items, "object": "list", "total": total})


async def create_job(request: Request) -> Response:
    raw = await request.body()
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise invalid(
            [
                field_error(
                    "json_invalid", ["body", exc.pos], "JSON decode error", {}, {"error": exc.msg}
                )
            ]
        ) from None
    new = parse_job_in(body)
    world = _world(request)
    if request.query_params.get("dry_run", "").lower() in ("true", "1"):
        return _json(world.estimate(new))
    return _json(world.create_job(new))


async def get_job(request: Request) -> Response:
    job_id = parse_uuid(request.path_params["job_id"], "job_id")
    return _json(_world(request).job(job_id))


async def cancel_job(request: Request) -> Response:
    job_id = parse_uuid(request.path_params["job_id"], "job_id")
    return _json(_world(request).cancel_job(job_id))


async def start_job(request: Request) -> Response:
    job_id = parse_uuid(request.path_params["job_id"], "job_id")
    return _json(_world(request).start_job(job_id))


async def list_files(request: Request) -> Response:
    page, size = parse_page(request.query_params)
    total, items = _world(request).list_files(page, size)
    for item in items:
        item.pop("deleted", None)  # list items are FileSchema, without ``deleted``
    return _json({"data": items, "object": "list", "total": total})


async def get_file(request: Request) -> Response:
    file_id = parse_uuid(request.path_params["file_id"], "file_id")
    return _json(_world(request).file(file_id))


async def list_models(request: Request) -> Response:
    return _json({"object": "list", "data": _world(request).models()})


async def get_model(request: Request) -> Response:
    model_id = request.path_params["model_id"]
    for card in _world(request).models():
        if card["id"] == model_id:
            return _json(card)
    raise SimProblem(404, {"detail": "Model not found"})


async def archive_model(request: Request) -> Response:
    archived = request.method == "POST"
    return _json(_world(request).set_archived(request.path_params["model_id"], archived))


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SimProblem)
    response = _json(exc.body, exc.status)
    response.headers.update(exc.headers)
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _json({"detail": exc.detail}, exc.status_code)


ROUTES = [
    Route("/v1/fine_tuning/jobs", list_jobs, methods=["GET"]),
    Route("/v1/fine_tuning/jobs", create_job, methods=["POST"]),
    Route("/v1/fine_tuning/jobs/{job_id}", get_job, methods=["GET"]),
    Route("/v1/fine_tuning/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
    Route("/v1/fine_tuning/jobs/{job_id}/start", start_job, methods=["POST"]),
    Route("/v1/fine_tuning/models/{model_id}/archive", archive_model, methods=["POST", "DELETE"]),
    Route("/v1/files", list_files, methods=["GET"]),
    Route("/v1/files/{file_id}", get_file, methods=["GET"]),
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/v1/models/{model_id:path}", get_model, methods=["GET"]),
]


class SimApp(Starlette):
    """The Starlette app, able to drop a connection without answering.

    A dropped request reaches here with no response sent. Under a real server (uvicorn) the
    socket is closed, so a client sees ``RemoteProtocolError`` ("Server disconnected without
    sending a response"). In process (``httpx.ASGITransport``) there is no socket: the same
    ``httpx.RemoteProtocolError`` is raised from the app, and ASGITransport passes it on.
    """

    @property
    def sim(self) -> SimState:
        """The shared state: world, request counters and records, faults."""
        state: SimState = self.state.sim
        return state

    def set_faults(self, spec: FaultSpec | str | None) -> None:
        """Change the injected faults at run time; ``None`` turns them off."""
        self.sim.set_faults(spec)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)
        if scope.get(DROPPED_SCOPE_KEY) and not _close_connection(send):
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.")


def _close_connection(send: Send) -> bool:
    """Close the socket under uvicorn's ``send``; ``False`` when there is none (in process)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if cycle is None or transport is None:
        return False
    transport.close()
    # Tell uvicorn the peer is gone, so it neither writes a 500 nor logs a missing response.
    cycle.disconnected = True
    return True


def create_app(
    world: World,
    *,
    api_key: str | None = None,
    rate_limit: int | None = None,
    faults: FaultSpec | str | None = None,
    request_log: Callable[[str], None] | None = None,
    fault_seed: int | None = None,
    latency: float = 0.0,
    latency_jitter: float = 0.0,
) -> SimApp:
    """The simulated API over ``world``.

    ``api_key=None`` accepts any or no key. ``rate_limit`` is requests per minute per key.
    ``faults`` is a :class:`FaultSpec` or its text; change it later with ``app.set_faults``.
    ``request_log`` receives one line per request (default: the ``finetop.sim`` logger).
    ``latency`` (seconds, plus up to ``latency_jitter`` drawn from the seed) delays every
    response, waited on the world's clock.
    """
    state = SimState(
        world,
        api_key=api_key,
        rate_limit=rate_limit,
        faults=faults,
        request_log=request_log,
        fault_seed=fault_seed,
        latency=latency,
        latency_jitter=latency_jitter,
    )
    app = SimApp(
        routes=ROUTES,
        middleware=[Middleware(GatewayMiddleware, state=state)],
        exception_handlers={SimProblem: _problem, HTTPException: _http_error},
    )
    app.state.sim = state
    return app
