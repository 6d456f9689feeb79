"""From settings to a working client: read the key, start the demo simulator, build MistralClient.

Headless commands use the async context manager::

    async with open_client(settings) as conn:
        page = await conn.client.list_jobs()

The Textual app, which runs its own loop, keeps a ``Connection`` and calls ``await conn.start()``
in ``on_mount`` and ``await conn.stop()`` when it exits. In demo mode a simulator runs in a thread
on a free loopback port for exactly as long as the connection is open.

The API key is read here and only here: an ``api_key_command`` runs when connecting (or earlier
through ``resolve_key``, so the TUI can run it before it takes over the terminal).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol, Self

import attrs

from tui import __version__
from tui.errors import FinetopError
from tui.settings.config import Settings
from tui.settings.key import KeyKind, Secret, run_key_command

if TYPE_CHECKING:
    import httpx

    from tui.api.client import MistralClient, RetryPolicy
    from tui.api.clock import Clock

__all__ = [
    "Connection",
    "open_client",
    "resolve_key",
]

USER_AGENT = f"finetop/{__version__}"


class _Simulator(Protocol):
    def stop(self) -> None: ...


def resolve_key(settings: Settings) -> Settings:
    """``settings`` with the key read (runs ``api_key_command`` if it has not run yet).

    Raises ``tui.settings.key.ApiKeyError`` (a FinetopError) with a one-line message that never
    holds the key or the command's output. Blocking: call it from a thread inside an event loop.
    """
    source = settings.api_key
    if settings.demo or source.kind is not KeyKind.COMMAND or source.value is not None:
        return settings
    assert source.command is not None
    secret = run_key_command(source.command, timeout=source.timeout)
    return attrs.evolve(settings, api_key=attrs.evolve(source, value=secret))


def _start_simulator() -> tuple[_Simulator, str]:
    """Start the demo world on a free loopback port; returns (handle to stop, base URL)."""
    from tui.sim.server import SimOptions, SimulatorThread

    simulator = SimulatorThread(SimOptions.demo(host="127.0.0.1", port=0))
    try:
        base_url = simulator.start()
    except (OSError, RuntimeError) as exc:
        raise FinetopError(f"demo mode: the built-in simulator did not start: {exc}") from None
    return simulator, base_url


class Connection:
    """One open connection: ``client``, ``base_url``, ``demo`` and the ``workspace`` label.

    ``retry``, ``transport`` and ``clock`` are passed to ``MistralClient`` (the app's poller uses
    ``RetryPolicy(attempts=1)`` and does its own backoff; tests pass an ASGI transport).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.demo = settings.demo
        """True when talking to the built-in simulator."""
        self.workspace = settings.workspace_label
        """The label to show for this workspace."""
        self.base_url = settings.server_url
        """The server actually used (the simulator's URL in demo mode, once started)."""
        self._retry = retry
        self._transport = transport
        self._clock = clock
        self._client: MistralClient | None = None
        self._simulator: _Simulator | None = None

    @property
    def client(self) -> MistralClient:
        """The client; only between ``start()`` and ``stop()``."""
        if self._client is None:
            raise RuntimeError("the connection is not open: await start() first")
        return self._client

    @property
    def is_open(self) -> bool:
        return self._client is not None

    async def start(self) -> Self:
        """Read the key, start the simulator in demo mode, and create the client."""
        if self._client is not None:
            return self
        from tui.api.client import ClientBounds, MistralClient

        settings = self.settings = await asyncio.to_thread(resolve_key, self.settings)
        key: Secret | None = None
        if self.demo:
            if self._transport is None:
                self._simulator, self.base_url = await asyncio.to_thread(_start_simulator)
        else:
            key = settings.api_key.value
        kwargs: dict[str, Any] = {
            "transport": self._transport,
            "timeout": settings.timeout,
            "retry": self._retry,
            "allow_insecure_http": settings.insecure_http,
            "clock": self._clock,
            "user_agent": USER_AGENT,
            "bounds": ClientBounds.from_settings(settings),
        }
        try:
            self._client = MistralClient(
                self.base_url, key.reveal() if key is not None else None, **kwargs
            )
        except BaseException:
            await self._stop_simulator()
            raise
        return self

    async def reload_key(self) -> bool:
        """Read the key again, re-running ``api_key_command``, and send the new one from now on
        (after the API refused the old one). Returns whether a key source was read again.

        Raises ``ApiKeyError`` like ``start`` when the command fails.
        """
        source = self.settings.api_key
        if self.demo or self._client is None or source.kind is not KeyKind.COMMAND:
            return False
        unread = attrs.evolve(self.settings, api_key=attrs.evolve(source, value=None))
        self.settings = await asyncio.to_thread(resolve_key, unread)
        key = self.settings.api_key.value
        self._client.set_api_key(key.reveal() if key is not None else None)
        return True

    async def stop(self) -> None:
        """Close the client and stop the simulator; safe to call twice or after a failed start."""
        client, self._client = self._client, None
        try:
            if client is not None:
                await client.aclose()
        finally:
            await self._stop_simulator()

    async def _stop_simulator(self) -> None:
        simulator, self._simulator = self._simulator, None
        if simulator is not None:
            await asyncio.to_thread(simulator.stop)

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


@asynccontextmanager
async def open_client(
    settings: Settings,
    *,
    retry: RetryPolicy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[Connection]:
    """An open ``Connection`` for the duration of the block; nothing is left running after it."""
    connection = Connection(settings, retry=retry, transport=transport, clock=clock)
    await connection.start()
    try:
        yield connection
    finally:
        await connection.stop()
