"""Reading a response body without trusting its size: counted on the wire and once inflated.

httpx's own decoders inflate each chunk whole, so one 64 KiB chunk of a gzip bomb can become
64 MiB before anyone counts it. Here the raw bytes come from ``Response.aiter_raw()`` and are
inflated with ``zlib`` a bounded piece at a time (``max_length``), so the body is refused the
moment it passes the cap and no more than the cap is ever held. The client asks only for the
encodings decoded here (``ACCEPT_ENCODING``).
"""

from __future__ import annotations

import zlib

import httpx

from tui.api.errors import PayloadError, ResponseTooLargeError

__all__ = ["ACCEPT_ENCODING", "BodyTooLarge", "read_body", "too_large_error"]

ACCEPT_ENCODING = "gzip, deflate"
"""The encodings the client accepts, all of them inflated under the cap below."""

_PIECE = 256 * 1024
"""Most bytes one call to zlib produces: its output buffer is built in blocks and then copied,
so a call producing the whole cap at once would briefly hold it twice."""
_GZIP = zlib.MAX_WBITS | 16
_ZLIB = zlib.MAX_WBITS
_RAW_DEFLATE = -zlib.MAX_WBITS


class BodyTooLarge(Exception):
    """The body passed the cap; the message says how (``announced 3 GiB``, ``inflated past...``)."""


class _Inflater:
    """Inflates a zlib, raw deflate or gzip stream, never producing more than ``limit`` bytes."""

    def __init__(self, wbits: int, limit: int) -> None:
        self._wbits = wbits
        self._limit = limit
        self._decompressor = zlib.decompressobj(wbits)
        self._started = False
        self.size = 0
        """Bytes produced so far."""

    def feed(self, data: bytes) -> list[bytes]:
        try:
            return self._feed(data)
        except zlib.error:
            if self._started or self._wbits != _ZLIB:
                raise
            # "deflate" is raw deflate for some servers, zlib-wrapped for others (as in httpx).
            self._wbits = _RAW_DEFLATE
            self._decompressor = zlib.decompressobj(_RAW_DEFLATE)
            return self._feed(data)

    def _feed(self, data: bytes) -> list[bytes]:
        pieces: list[bytes] = []
        while data and not self._decompressor.eof:
            # One byte more than the room left: getting it proves the body is too large.
            room = min(_PIECE, self._limit - self.size + 1)
            piece = self._decompressor.decompress(data, room)
            self._started = True
            self._count(piece)
            pieces.append(piece)
            data = self._decompressor.unconsumed_tail
        return pieces

    def flush(self) -> bytes:
        rest = self._decompressor.flush()
        self._count(rest)
        return rest

    def _count(self, piece: bytes) -> None:
        self.size += len(piece)
        if self.size > self._limit:
            raise BodyTooLarge(f"sent a body that inflates past {_size(self._limit)}")


def _inflater_for(headers: httpx.Headers, limit: int) -> _Inflater | None:
    """The decoder for the response's Content-Encoding (``None``: the body is as sent)."""
    codings = [
        token.strip().lower()
        for value in headers.get_list("content-encoding")
        for token in value.split(",")
        if token.strip() and token.strip().lower() != "identity"
    ]
    if not codings:
        return None
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip"):
        return _Inflater(_GZIP, limit)
    if len(codings) == 1 and codings[0] == "deflate":
        return _Inflater(_ZLIB, limit)
    shown = ", ".join(codings)[:60]
    raise PayloadError([f"$: unsupported Content-Encoding {shown!r} (asked for {ACCEPT_ENCODING})"])


def _declared_length(headers: httpx.Headers) -> int | None:
    try:
        return int(headers.get("content-length", ""))
    except ValueError:
        return None


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The whole decoded body of a streamed ``response``, at most ``limit`` bytes on the wire and
    ``limit`` bytes decoded; raises :class:`BodyTooLarge` as soon as either is passed (before
    reading anything when Content-Length already says so), or ``PayloadError`` for a body that
    does not inflate.
    """
    declared = _declared_length(response.headers)
    if declared is not None and declared > limit:
        raise BodyTooLarge(f"announced {_size(declared)}, over {_size(limit)}")
    if response.is_stream_consumed:
        # A transport that hands over responses already read (httpx.MockTransport with
        # ``content=``): the body is in memory already; it is still held to the cap.
        body = response.content
        if len(body) > limit:
            raise BodyTooLarge(f"sent more than {_size(limit)}")
        return body
    inflater = _inflater_for(response.headers, limit)
    pieces: list[bytes] = []
    received = 0
    try:
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > limit:
                raise BodyTooLarge(f"sent more than {_size(limit)}")
            if inflater is None:
                pieces.append(chunk)
            else:
                pieces.extend(inflater.feed(chunk))
        if inflater is not None:
            pieces.append(inflater.flush())
    except zlib.error as exc:
        raise PayloadError([f"$: the compressed body is corrupt ({exc})"]) from None
    return b"".join(pieces)


def too_large_error(error: BodyTooLarge, where: str) -> ResponseTooLargeError:
    """The user-facing error for ``error`` on the request ``where`` (``GET /v1/...``)."""
    return ResponseTooLargeError(f"response too large: {where} {error} (see max_response_mib)")


def _size(count: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size:
            return f"{count / size:.4g} {unit}"
    return f"{count} bytes"
