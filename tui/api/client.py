"""The HTTP client of the Mistral fine-tuning API: auth, timeouts, retries and typed errors.

One ``httpx.AsyncClient`` per :class:`MistralClient`. Every failure comes out as one of the errors
of :mod:`tui.api.errors` (or a :class:`~tui.api.errors.PayloadError` for a body that does not fit
the wire contract), with a message a status line can show as is.

The API key is held by a small auth object that adds the header to each request; it never appears
in a repr, a message or a log record (headers are never logged), and any text a server sends back
is redacted (:mod:`tui.api.redact`) before it is cut or shown.

Every exchange is bounded (:mod:`tui.api.bounds`): one deadline covers connecting, the headers and
the whole body; the body is streamed and refused past a size cap, on the wire and once inflated
(:mod:`tui.api.body`); a listing reads a limited number of pages; a Retry-After is capped.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Generator, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import attrs
import httpx

import tui
from tui.api import convert
from tui.api.backoff import Backoff, parse_retry_after
from tui.api.body import ACCEPT_ENCODING, BodyTooLarge, read_body, too_large_error
from tui.api.bounds import ERROR_BODY_BYTES, ClientBounds
from tui.api.clock import Clock, SystemClock
from tui.api.error_detail import clip, error_detail
from tui.api.errors import (
    ApiError,
    AuthenticationError,
    ConflictError,
    DeadlineExceededError,
    NotFoundError,
    PayloadError,
    RateLimitedError,
    ServerError,
    TransportError,
    ValidationError,
)
from tui.api.listing import JobListing, JobPaging
from tui.api.models import ArchiveResult, Job, JobDetails, JobsPage, RetrievedFile
from tui.api.paths import JOBS_PATH, job_path, segment
from tui.api.ratelimits import RateLimits
from tui.api.redact import KeyRedactor
from tui.errors import FinetopError, InsecureURLError
from tui.settings.urls import check_insecure_url, normalize_server_url

__all__ = [
    "ClientBounds",
    "JobListing",
    "MistralClient",
    "RateLimits",
    "RetryPolicy",
    "format_timestamp",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
"""Statuses after which the same request may succeed later."""

_REASON_CHARS = 120
"""Longest piece of an exception's own text quoted in a transport error."""


@attrs.frozen
class _Answer:
    """A response read whole, within the bounds."""

    status: int
    headers: httpx.Headers
    body: bytes
    """The decoded body (empty when an error body was too large to quote)."""
    where: str
    """``METHOD /path`` of the request, for messages."""

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300


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
        bounds: ClientBounds | None = None,
    ) -> None:
        self._base = _check_base_url(base_url, allow_insecure_http)
        key = _check_key(api_key)
        self._has_key = key is not None
        self._redact: Callable[[str], str] = KeyRedactor(key)
        self._bounds = bounds if bounds is not None else ClientBounds()
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
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            follow_redirects=False,  # a redirect could carry the Authorization header elsewhere
        )
        self._file_cache: OrderedDict[str, RetrievedFile] = OrderedDict()
        self._file_cache_size = file_cache_size
        self.rate_limits: RateLimits | None = None
        """The ``x-ratelimit-*`` headers of the last response that had any."""

    # ---- plumbing

    def set_api_key(self, api_key: str | None) -> None:
        """Send ``api_key`` from now on (a key read again after the API refused the old one)."""
        key = _check_key(api_key)
        self._has_key = key is not None
        self._redact = KeyRedactor(key)
        # httpx's base Auth sends requests as they are: no key, no header.
        self._http.auth = _BearerAuth(key) if key else httpx.Auth()

    @property
    def bounds(self) -> ClientBounds:
        """The limits every exchange is held to."""
        return self._bounds

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
    ) -> _Answer:
        """Send one request with retries; return a 2xx answer or raise a typed error.

        A request that is not idempotent is retried only when it certainly was not processed: the
        connection could not be made, or the server answered 429. A request that ran out of its
        deadline or sent too much is not retried: the next try would cost as much again.
        """
        attempts = max(1, self._retry.attempts)
        for attempt in range(attempts):
            retry_after: float | None = None
            try:
                answer = await self._exchange(method, path, params)
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
            except httpx.HTTPError as exc:  # e.g. a redirect loop: nothing to retry
                raise TransportError(self._transport_message(exc, method, path)) from None
            else:
                limits = RateLimits.from_headers(answer.headers)
                if limits is not None:
                    self.rate_limits = limits
                if answer.is_success:
                    log.debug("%s %s -> %s", method, path, answer.status)
                    return answer
                error = self._error_for(answer, subject)
                retry_after = getattr(error, "retry_after", None)
                status = answer.status
                retryable = status in RETRYABLE_STATUSES and (idempotent or status == 429)
            if not retryable or attempt + 1 >= attempts:
                raise error
            delay = self._retry.backoff.next_delay(attempt, retry_after)
            if delay > self._retry.max_wait:
                raise error  # the caller schedules long waits itself
            log.info("%s %s failed (%s); retrying in %.1f s", method, path, error.message, delay)
            await self._clock.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(
        self, method: str, path: str, params: Mapping[str, str | int] | None
    ) -> _Answer:
        """One request and its whole body, within the deadline and the size cap.

        The deadline runs on the event loop's clock, not the injectable one: it bounds real
        network time, which a test clock cannot stand in for.
        """
        bounds = self._bounds
        try:
            async with asyncio.timeout(bounds.request_deadline):
                async with self._http.stream(method, path, params=params) as response:
                    # The path as sent: its ids percent-encoded, so no control character of a
                    # server-given id reaches a message.
                    where = self._redact(f"{method} {path}")
                    success = response.is_success
                    limit = bounds.max_response_bytes
                    try:
                        body = await read_body(response, limit if success else ERROR_BODY_BYTES)
                    except BodyTooLarge as exc:
                        if success:
                            raise too_large_error(exc, where) from None
                        body = b""  # an error's status says enough without its body
                    except PayloadError as exc:
                        raise PayloadError(exc.problems, context=where) from None
                    return _Answer(response.status_code, response.headers, body, where)
        except TimeoutError:
            raise DeadlineExceededError(
                self._redact(
                    f"no complete answer from {self._base.host} within "
                    f"{bounds.request_deadline:g} s — {method} {path}"
                )
            ) from None

    def _transport_message(self, exc: httpx.HTTPError, method: str, path: str) -> str:
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
        # Redacted before the cut, so a cut never leaves part of a key behind.
        reason = clip(self._redact(str(exc)), _REASON_CHARS)
        if reason:
            text += f" ({reason})"
        return self._redact(f"{text} — {method} {path}")

    def _error_for(self, answer: _Answer, subject: str) -> ApiError:
        status = answer.status
        detail, html = error_detail(
            answer.body, answer.headers.get("content-type", ""), self._redact
        )
        suffix = f": {detail}" if detail else ""
        now = self._clock.time()
        if status in (401, 403):
            if not self._has_key:
                return AuthenticationError(
                    f"no API key set (HTTP {status}{suffix}) — export MISTRAL_API_KEY or set "
                    "api_key_command in the config file",
                    status=status,
                )
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
        retry_after = parse_retry_after(
            answer.headers.get("retry-after"), now, cap=self._bounds.max_retry_after
        )
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
        answer = await self._request("GET", path, **kwargs)
        return self._parse(answer, parse)

    def _parse(self, answer: _Answer, parse: Callable[[bytes], T]) -> T:
        content_type = answer.headers.get("content-type", "")
        if "html" in content_type.lower():
            raise PayloadError(
                ["$: expected JSON, got an HTML page"], context=answer.where
            ) from None
        try:
            return parse(answer.body)
        except PayloadError as exc:
            problems = [self._redact(problem) for problem in exc.problems]
            raise PayloadError(problems, context=answer.where) from None

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
        return await self._get_json(JOBS_PATH, convert.parse_jobs_page, params=params)

    async def iter_job_pages(
        self, *, page_size: int = 100, **filters: Any
    ) -> AsyncIterator[JobsPage]:
        """Every page from the first, until ``total`` jobs were seen, a page comes back empty or
        ``bounds.max_list_pages`` pages were read."""
        paging = JobPaging(page_size, self._bounds.max_list_pages)
        async for result in self._walk(paging, filters):
            yield result

    async def _walk(self, paging: JobPaging, filters: Mapping[str, Any]) -> AsyncIterator[JobsPage]:
        while (page := paging.next_page()) is not None:
            result = await self.list_jobs(page=page, page_size=paging.page_size, **filters)
            paging.record(result)
            yield result

    async def list_all_jobs(self, *, page_size: int = 100, **filters: Any) -> JobListing:
        """All jobs across pages, newest first, each once (pages can overlap while jobs arrive).

        Past ``bounds.max_list_pages`` pages the listing stops and says it is ``truncated``.
        """
        paging = JobPaging(page_size, self._bounds.max_list_pages)
        jobs: dict[str, Job] = {}
        async for result in self._walk(paging, filters):
            for job in result.data:
                jobs.setdefault(job.id, job)
        return JobListing(
            tuple(jobs.values()), claimed_total=paging.total or 0, truncated=paging.truncated
        )

    async def get_job(self, job_id: str) -> JobDetails:
        """``GET /v1/fine_tuning/jobs/{id}``: the job with its events and checkpoints."""
        return await self._get_json(job_path(job_id), convert.parse_job, subject="job")

    async def cancel_job(self, job_id: str) -> JobDetails:
        """``POST .../cancel``; never retried once the request may have reached the server."""
        return await self._post_job(job_id, "cancel")

    async def start_job(self, job_id: str) -> JobDetails:
        """``POST .../start`` (a job created with ``auto_start=false``); never retried blindly."""
        return await self._post_job(job_id, "start")

    async def _post_job(self, job_id: str, action: str) -> JobDetails:
        answer = await self._request(
            "POST", f"{job_path(job_id)}/{action}", idempotent=False, subject="job"
        )
        return self._parse(answer, convert.parse_job)

    # ---- files and models

    async def get_file(self, file_id: str) -> RetrievedFile:
        """``GET /v1/files/{id}`` (its name for display); remembered, a bounded number of them."""
        cached = self._file_cache.get(file_id)
        if cached is not None:
            self._file_cache.move_to_end(file_id)
            return cached
        result = await self._get_json(
            f"/v1/files/{segment(file_id, 'file id')}", convert.parse_file, subject="file"
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
        path = f"/v1/fine_tuning/models/{segment(model_id, 'model id')}/archive"
        answer = await self._request(method, path, idempotent=False, subject="model")
        return self._parse(answer, convert.parse_archive)
