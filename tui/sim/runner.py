"""Serving the simulated API over real HTTP: in a background thread, or in the foreground.

:class:`SimulatorThread` runs uvicorn with its own event loop on a free loopback port (demo mode,
end-to-end tests, the SDK conformance test). :func:`serve` is ``finetop sim``: it blocks until
Ctrl-C and then shuts down cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import uvicorn

from tui.settings.urls import is_loopback_host
from tui.sim.app import SimApp
from tui.sim.faults import FaultSpec
from tui.sim.options import SimOptions
from tui.sim.world import World

__all__ = ["SimulatorThread", "serve"]


class _Server(uvicorn.Server):
    """uvicorn, ending delayed (``slow`` fault) responses first when asked to shut down.

    Otherwise a response held back by a ``slow`` fault outlives the graceful-shutdown timeout
    and uvicorn cancels it with a logged traceback.
    """

    def __init__(self, config: uvicorn.Config, app: SimApp) -> None:
        super().__init__(config)
        self.sim_app = app

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.sim_app.sim.end_slow_waits()
        await super().shutdown(sockets)


def _config(app: SimApp, **extra: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        loop="asyncio",
        http="h11",
        lifespan="off",
        access_log=False,  # the gateway logs each request itself, without headers
        log_config=None,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=1,
        **extra,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class SimulatorThread:
    """The simulator served by uvicorn in a background thread.

    Give it ``SimOptions`` (a world is built from them), or a ``world`` plus the
    :func:`~tui.sim.app.create_app` keywords, or a ready ``app``. ``start()`` returns the base URL
    once the server accepts connections; ``stop()`` shuts it down within about a second.
    Usable as a context manager. ``port=0`` (the default) picks a free port.
    """

    def __init__(
        self,
        options: SimOptions | None = None,
        *,
        world: World | None = None,
        app: SimApp | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        rate_limit: int | None = None,
        faults: FaultSpec | str | None = None,
        request_log: Callable[[str], None] | None = None,
    ) -> None:
        if app is None:
            if options is not None:
                app = options.build_app(world, request_log=request_log)
            else:
                from tui.sim.app import create_app

                app = create_app(
                    world or World(),
                    api_key=api_key,
                    rate_limit=rate_limit,
                    faults=faults,
                    request_log=request_log,
                )
        self.app = app
        self.host = options.host if options is not None and host == "127.0.0.1" else host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._base_url: str | None = None

    # ------------------------------------------------------------------ info

    @property
    def world(self) -> World:
        return self.app.sim.world

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``; only valid once started."""
        if self._base_url is None:
            raise RuntimeError("the simulator is not running")
        return self._base_url

    @property
    def requests_served(self) -> int:
        """Responses sent (and connections dropped) so far."""
        return self.app.sim.requests_served

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_faults(self, spec: FaultSpec | str | None) -> None:
        """Change the injected faults while running; ``None`` turns them off."""
        self.app.set_faults(spec)

    # ------------------------------------------------------------------ lifecycle

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; return the base URL once the server accepts connections."""
        if self.running:
            return self.base_url
        sock = _bind(self.host, self._port)
        port = sock.getsockname()[1]
        server = _Server(_config(self.app, log_level="warning"), self.app)
        self._server = server
        self._error = None

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # reported by start()
                self._error = exc
            finally:
                sock.close()

        self._thread = threading.Thread(target=run, name="finetop-sim", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the simulator did not start: {self._error!r}")
            time.sleep(0.005)  # polling a flag set by the server thread
        self._base_url = _url(self.host, port)
        return self._base_url

    def stop(self, timeout: float = 5.0) -> None:
        """Shut the server down and join its thread (idempotent)."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive() and server is not None:
                server.force_exit = True
                thread.join(timeout)
        self._server = None
        self._thread = None
        self._base_url = None

    def __enter__(self) -> SimulatorThread:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(options: SimOptions, *, out: Callable[[str], None] | None = None) -> int:
    """Serve the simulator in the foreground until Ctrl-C (``finetop sim``); return an exit code."""
    say = out or (lambda line: print(line, file=sys.stderr, flush=True))
    logger = logging.getLogger("finetop.sim")

    def log_request(line: str) -> None:
        say(f"{time.strftime('%H:%M:%S')} {line}")

    try:
        sock = _bind(options.host, options.port)
    except OSError as exc:
        say(f"finetop sim: cannot listen on {options.host}:{options.port}: {exc.strerror or exc}")
        return 1
    port = sock.getsockname()[1]
    world = options.build_world()
    app = options.build_app(world, request_log=log_request)
    if not is_loopback_host(options.host) and options.api_key is None:
        say("finetop sim: warning: listening beyond loopback with no --api-key; anyone can connect")
    say(
        f"finetop sim: serving {_url(options.host, port)}  "
        f"(seed {options.seed}, {len(world)} jobs, speed {options.speed:g}x, "
        f"auth {'on' if options.api_key else 'off'}, "
        f"rate limit {options.rate_limit or 'off'}, faults {options.faults or 'off'}, "
        f"latency {f'{options.latency_ms:g} ms' if options.latency_ms else 'off'})"
    )
    key_hint = "MISTRAL_API_KEY=<the --api-key> " if options.api_key else ""
    say(f"  then: {key_hint}finetop --server-url {_url(options.host, port)}   (Ctrl-C stops)")
    server = _Server(_config(app, log_level="warning"), app)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        sock.close()
    logger.debug("simulator stopped")
    say(f"finetop sim: stopped after {app.sim.requests_served} requests")
    return 0
