"""A tiny HTTP/1.1 server on loopback that answers the way a hostile or broken server would.

Raw asyncio in a thread, so it can do what a framework would politely refuse: a body that never
ends, a body dripping a byte at a time, a gzip bomb with no length. Each connection carries one
request and is closed after it (``Connection: close``); ``answer`` writes the whole response.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

import attrs

__all__ = ["Answer", "HostileServer", "Request", "head"]

_REASONS = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}


@attrs.frozen
class Request:
    """One request as the server read it."""

    method: str
    path: str
    """The path, still percent-encoded, without the query."""
    query: dict[str, str]

    def number(self, name: str, default: int) -> int:
        """A query parameter as an integer."""
        return int(self.query.get(name, default))


Answer = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]
"""Writes the response to one request (the server closes the connection after it)."""


def head(status: int, headers: dict[str, str]) -> bytes:
    """A status line and headers, ``Connection: close`` added."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
    lines += [f"{name}: {value}" for name, value in {**headers, "Connection": "close"}.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class HostileServer:
    """Serves ``answer`` on ``127.0.0.1`` on a free port, in a thread, until stopped."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[Request] = []
        """Every request received, in order."""
        self.url = ""
        """``http://127.0.0.1:PORT`` once started."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-server", daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        if not self._ready.wait(10) or not self.url:
            raise AssertionError("the hostile server did not start")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        handlers: set[asyncio.Task[None]] = set()

        async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            task = asyncio.current_task()
            assert task is not None
            handlers.add(task)
            try:
                await self._handle(reader, writer)
            finally:
                handlers.discard(task)

        server = await asyncio.start_server(on_connection, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self._ready.set()
        async with server:
            await self._stop.wait()
            for task in list(handlers):  # a drip or a bomb still being written
                task.cancel()
            await asyncio.gather(*handlers, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
            method, target, _ = raw.decode("latin-1").split("\r\n", 1)[0].split(" ", 2)
            parts = urlsplit(target)
            query = {name: values[0] for name, values in parse_qs(parts.query).items()}
            request = Request(method, parts.path, query)
            self.requests.append(request)
            await self.answer(request, writer)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client hung up: exactly what a bounded client does
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
