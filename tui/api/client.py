"""The HTTP client of the Mistral fine-tuning API: auth, timeouts, retries and typed errors.

One ``httpx.AsyncClient`` per :class:`MistralClient`. Every failure comes out as one of the errors
of :mod:`tui.api.errors` (or a :class:`~tui.api.errors.PayloadError` for a body that does not fit
the wire contract), with a message a status line can show as is.

The API key is held by a small auth object that adds the header to each request; it never appears
in a repr, a message or a log record (headers are never logged).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Generator, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import attrs
import httpx
import orjson

import tui
from tui.api import convert
from tui.api.backoff import Backoff, parse_retry_after
from tui.api.clock import Clock, SystemClock
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
from tui.api.models import ArchiveResult, Job, JobDetails, JobsPage, RetrievedFile
from tui.api.ratelimits import RateLimits
from tui.errors import FinetopError, InsecureURLError
from tui.settings.urls import check_insecure_url, normalize_server_url

__all__ = ["MistralClient", "RateLimits", "RetryPolicy", "format_timestamp"]

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses after which the same request may succeed later."""

_JOBS = "/v1/fine_tuning/jobs"
_MAX_DETAIL = 300
"""Longest piece of an error body quoted in a message."""


@attrs.frozen
class RetryPolicy:
    """How the client retries on its own. ``attempts=1`` turns retries off."""

    attempts: int = 4
    """Tries in all, the first included."""
    backoff: Backoff = attrs.field(factory=Backoff, eq=False)
    """Delays between tries (a server's Retry-After is a floor)."""
    max_wait: float = 60.0
    """A wait longer than this is not slept here: the error goes to the caller, who can schedule."""


def format_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the API's ``created_after`` wants (naive means UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def _check_base_url(base_url: str, allow_insecure_http: bool) -> httpx.URL:
    try:
        normalized = normalize_server_url(base_url)
        url = httpx.URL(normalized)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise InsecureURLError(f"not a usable base URL: {exc}") from None
    check_insecure_url(normalized, allowed=allow_insecure_http)
    return url


class _BearerAuth(httpx.Auth):
    """Adds ``Authorization: Bearer`` to each request; its repr never shows the key."""

    def __init__(self, api_key: str) -> None:
        self._header_value = f"Bearer {api_key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header_value
        yield request

    def __repr__(self) -> str:
        return "<bearer token: hidden>"


def _check_key(api_key: str | None) -> str | None:
    if api_key is None:
        return None
    key = api_key.strip()
    if not key:
        return None
    # A newline or other control character would make httpx fail with the header in the message.
    if not key.isascii() or not key.isprintable() or " " in key:
        raise FinetopError("the API key contains characters that cannot be sent in a header")
    return key


class MistralClient:
    """Typed access to the fine-tuning endpoints of the Mistral API (or finetop's simulator)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        retry: RetryPolicy | None = None,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        max_connections: int = 4,
        user_agent: str | None = None,
        file_cache_size: int = 256,
    ) -> None:
        self._base = _check_base_url(base_url, allow_insecure_http)
        key = _check_key(api_key)
        self._redact: Callable[[str], str] = (
            (lambda text: text.replace(key, "[key hidden]")) if key else (lambda text: text)
        )
        self._retry = retry if retry is not None else RetryPolicy()
        self._clock: Clock = clock if clock is not None else SystemClock()
        limits = httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=30.0,
        )
        if transport is None:
            # Retries are ours (with backoff and Retry-After); the transport never retries.
            transport = httpx.AsyncHTTPTransport(limits=limits, retries=0, verify=True)
        self._http = httpx.AsyncClient(
            base_url=self._base,
            transport=transport,
            auth=_BearerAuth(key) if key else None,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={
                "User-Agent": user_agent or f"finetop/{tui.__version__}",
                "Accept": "application/json",
            },
            follow_redirects=False,  # a redirect could carry the Authorization header elsewhere
        )
        self._file_cache: OrderedDict[str, RetrievedFile] = OrderedDict()
        self._file_cache_size = file_cache_size
        self.rate_limits: RateLimits | None = None
        """The ``x-ratelimit-*`` headers of the last response that had any."""

    # ---- plumbing

    @property
    def base_url(self) -> str:
        """The API's base URL (without a trailing ``/v1``)."""
        return str(self._base).rstrip("/")

    def __repr__(self) -> str:
        return f"MistralClient(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        idempotent: bool = True,
        subject: str = "",
    ) -> httpx.Response:
        """Send one request with retries; return a 2xx response or raise a typed error.

        A request that is not idempotent is retried only when it certainly was not processed: the
        connection could not be made, or the server answered 429.
        """
        attempts = max(1, self._retry.attempts)
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                response = await self._http.request(method, path, params=params)
            except httpx.TransportError as exc:
                error: ApiError = TransportError(self._transport_message(exc, method, path))
                not_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                not_sent = not_sent or isinstance(exc, httpx.PoolTimeout)
                # A read may be repeated after any network failure or timeout; a change only when
                # it certainly never left (see above).
                retryable = not_sent or (
                    idempotent
                    and isinstance(
                        exc,
                        httpx.NetworkError | httpx.TimeoutException | httpx.RemoteProtocolError,
                    )
                )
            else:
                limits = RateLimits.from_headers(response.headers)
                if limits is not None:
                    self.rate_limits = limits
                if response.is_success:
                    log.debug("%s %s -> %s", method, path, response.status_code)
                    return response
                error = self._error_for(response, subject)
                retry_after = getattr(error, "retry_after", None)
                status = response.status_code
                retryable = status in RETRYABLE_STATUSES and (idempotent or status == 429)
            if not retryable or attempt + 1 >= attempts:
                raise error
            delay = self._retry.backoff.next_delay(attempt, retry_after)
            if delay > self._retry.max_wait:
                raise error  # the caller schedules long waits itself
            log.info("%s %s failed (%s); retrying in %.1f s", method, path, error.message, delay)
            await self._clock.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _transport_message(self, exc: httpx.TransportError, method: str, path: str) -> str:
        host = self._base.host
        if isinstance(exc, httpx.ConnectTimeout):
            text = f"timed out connecting to {host}"
        elif isinstance(exc, httpx.ConnectError):
            text = f"cannot connect to {host}"
        elif isinstance(exc, httpx.PoolTimeout):
            text = "timed out waiting for a free connection"
        elif isinstance(exc, httpx.TimeoutException):
            text = f"{host} did not answer in time"
        elif isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            text = f"connection to {host} dropped"
        else:
            text = f"request to {host} failed"
        reason = " ".join(str(exc).split())[:120]
        if reason:
            text += f" ({reason})"
        return self._redact(f"{text} — {method} {path}")

    def _error_for(self, response: httpx.Response, subject: str) -> ApiError:
        status = response.status_code
        detail, html = _error_detail(response)
        detail = self._redact(detail)
        suffix = f": {detail}" if detail else ""
        now = self._clock.time()
        if status in (401, 403):
            what = "authentication failed" if status == 401 else "access denied"
            return AuthenticationError(
                f"{what} (HTTP {status}{suffix}) — check the API key", status=status
            )
        if status == 404:
            if subject:
                hint = " — deleted or in another workspace" if subject == "job" else ""
                return NotFoundError(f"{subject} not found{hint}", status=status)
            return NotFoundError(
                f"not found (HTTP 404{suffix}) — is the base URL right?", status=status
            )
        if status == 409:
            return ConflictError(f"conflict (HTTP 409){suffix}", status=status)
        if status in (400, 422):
            return ValidationError(f"rejected (HTTP {status}){suffix}", status=status)
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        if status == 429:
            wait = f"; retry in {retry_after:.0f} s" if retry_after is not None else ""
            return RateLimitedError(
                f"rate limited (HTTP 429{suffix}){wait}", status=status, retry_after=retry_after
            )
        if status >= 500:
            what = " (HTML error page)" if html else suffix
            return ServerError(
                f"HTTP {status} from server{what}", status=status, retry_after=retry_after
            )
        if 300 <= status < 400:
            return ApiError(f"unexpected redirect (HTTP {status})", status=status)
        return ApiError(f"HTTP {status}{suffix}", status=status)

    async def _get_json(self, path: str, parse: Callable[[bytes], T], **kwargs: Any) -> T:
        response = await self._request("GET", path, **kwargs)
        return self._parse(response, parse)

    def _parse(self, response: httpx.Response, parse: Callable[[bytes], T]) -> T:
        content_type = response.headers.get("content-type", "")
        if "html" in content_type.lower():
            raise PayloadError(
                ["$: expected JSON, got an HTML page"], context=_where(response)
            ) from None
        try:
            return parse(response.content)
        except PayloadError as exc:
            raise PayloadError(exc.problems, context=_where(response)) from None

    # ---- jobs

    async def list_jobs(
        self,
        *,
        page: int = 0,
        page_size: int = 100,
        model: str | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
        created_by_me: bool = False,
        status: str | None = None,
        wandb_project: str | None = None,
        wandb_name: str | None = None,
        suffix: str | None = None,
    ) -> JobsPage:
        """One page of ``GET /v1/fine_tuning/jobs`` (newest first), with the API's filters."""
        params: dict[str, str | int] = {"page": page, "page_size": page_size}
        if model is not None:
            params["model"] = model
        if created_after is not None:
            params["created_after"] = format_timestamp(created_after)
        if created_before is not None:
            params["created_before"] = format_timestamp(created_before)
        if created_by_me:
            params["created_by_me"] = "true"
        optional = {
            "status": status,
            "wandb_project": wandb_project,
            "wandb_name": wandb_name,
            "suffix": suffix,
        }
        params.update({name: value for name, value in optional.items() if value is not None})
        return await self._get_json(_JOBS, convert.parse_jobs_page, params=params)

    async def iter_job_pages(
        self, *, page_size: int = 100, **filters: Any
    ) -> AsyncIterator[JobsPage]:
        """Every page from the first, until ``total`` jobs were seen or a page comes back empty."""
        seen = 0
        page = 0
        limit: int | None = None
        while True:
            result = await self.list_jobs(page=page, page_size=page_size, **filters)
            yield result
            seen += len(result.data)
            if limit is None:
                # Jobs created while paging shift items; allow a few extra pages, never forever.
                limit = result.total // max(1, page_size) + 2
            page += 1
            if not result.data or seen >= result.total or page >= limit:
                return

    async def list_all_jobs(self, *, page_size: int = 100, **filters: Any) -> list[Job]:
        """All jobs across pages, newest first, each once (pages can overlap while jobs arrive)."""
        jobs: dict[str, Job] = {}
        async for result in self.iter_job_pages(page_size=page_size, **filters):
            for job in result.data:
                jobs.setdefault(job.id, job)
        return list(jobs.values())

    async def get_job(self, job_id: str) -> JobDetails:
        """``GET /v1/fine_tuning/jobs/{id}``: the job with its events and checkpoints."""
        return await self._get_json(_job_path(job_id), convert.parse_job, subject="job")

    async def cancel_job(self, job_id: str) -> JobDetails:
        """``POST .../cancel``; never retried once the request may have reached the server."""
        return await self._post_job(job_id, "cancel")

    async def start_job(self, job_id: str) -> JobDetails:
        """``POST .../start`` (a job created with ``auto_start=false``); never retried blindly."""
        return await self._post_job(job_id, "start")

    async def _post_job(self, job_id: str, action: str) -> JobDetails:
        response = await self._request(
            "POST", f"{_job_path(job_id)}/{action}", idempotent=False, subject="job"
        )
        return self._parse(response, convert.parse_job)

    # ---- files and models

    async def get_file(self, file_id: str) -> RetrievedFile:
        """``GET /v1/files/{id}`` (its name for display); remembered, a bounded number of them."""
        cached = self._file_cache.get(file_id)
        if cached is not None:
            self._file_cache.move_to_end(file_id)
            return cached
        result = await self._get_json(
            f"/v1/files/{_segment(file_id)}", convert.parse_file, subject="file"
        )
        self._file_cache[file_id] = result
        while len(self._file_cache) > self._file_cache_size:
            self._file_cache.popitem(last=False)
        return result

    async def archive_model(self, model_id: str) -> ArchiveResult:
        """``POST /v1/fine_tuning/models/{id}/archive``."""
        return await self._model_archive("POST", model_id)

    async def unarchive_model(self, model_id: str) -> ArchiveResult:
        """``DELETE /v1/fine_tuning/models/{id}/archive``."""
        return await self._model_archive("DELETE", model_id)

    async def _model_archive(self, method: str, model_id: str) -> ArchiveResult:
        path = f"/v1/fine_tuning/models/{_segment(model_id)}/archive"
        response = await self._request(method, path, idempotent=False, subject="model")
        return self._parse(response, convert.parse_archive)


# --------------------------------------------------------------------------- helpers


def _segment(value: str) -> str:
    """A path segment, percent-encoded so an id can never reach another path."""
    from urllib.parse import quote

    if not value:
        raise ValidationError("an empty id was given")
    return quote(value, safe=":-_.~")


def _job_path(job_id: str) -> str:
    return f"{_JOBS}/{_segment(job_id)}"


def _where(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.path}"


def _error_detail(response: httpx.Response) -> tuple[str, bool]:
    """The API's own words from an error body, and whether the body was an HTML page."""
    content_type = response.headers.get("content-type", "").lower()
    body = response.content
    head = body[:512].lstrip().lower()
    if "html" in content_type or head.startswith((b"<!doctype", b"<html", b"<")):
        return "", True
    if not body.strip():
        return "", False
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return _clip(body.decode("utf-8", "replace")), False
    return _clip(_detail_text(data)), False


def _detail_text(data: Any) -> str:
    """The text of a FastAPI ``detail``, a gateway ``message`` or an ``error`` object."""
    if isinstance(data, str):
        return data
    if not isinstance(data, dict):
        return ""
    detail = data.get("detail")
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        return "; ".join(filter(None, (_validation_item(item) for item in detail)))
    for key in ("message", "error"):
        value = data.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return _detail_text(value)
    return ""


def _validation_item(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item) if isinstance(item, str) else ""
    message = item.get("msg")
    text = message if isinstance(message, str) else ""
    loc = item.get("loc")
    if isinstance(loc, list):
        parts = [str(part) for part in loc if isinstance(part, str | int)]
        if parts and parts[0] in ("body", "query", "path", "header"):
            parts = parts[1:]
        if parts:
            return f"{'.'.join(parts)}: {text}" if text else ".".join(parts)
    return text


def _clip(text: str) -> str:
    """One line, printable, at most a few hundred characters."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= _MAX_DETAIL else flat[: _MAX_DETAIL - 1] + "…"
