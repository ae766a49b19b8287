"""``RetryMiddleware`` and ``ExponentialBackoff``: retries as a client middleware.

How this works: the middleware calls the rest of the chain again while the answer is a
retryable status (429, 5xx by default) or a connection-level error, waiting between
attempts for the server's ``Retry-After`` (seconds or an HTTP date) or an exponential
backoff with jitter.  It runs inside the session's request, so the request's total
timeout bounds every attempt and every wait together: a wait that would outlast it is not
started (the last answer is returned, or the last error raised, at once).  A request body
is sent again only when it can be: in memory (bytes, str, JSON, urlencoded and in-memory
multipart forms), a seekable file (rewound to where it started), or a stream that was
never started; an exhausted stream ends the retries.  Each attempt's number is set on the
request's trace contexts (``trace_config_ctx.attempt``), so every tracing signal of an
attempt says which one it belongs to.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

import cyhttp
from cyhttp import ClientRequest, ClientResponse, hdrs
from cyhttp.client_middlewares import ClientHandlerType
from cyhttp.multipart import MultipartWriter
from cyhttp.payload import BytesPayload, IOBasePayload

__all__ = (
    "DEFAULT_RETRY_EXCEPTIONS",
    "DEFAULT_RETRY_METHODS",
    "DEFAULT_RETRY_STATUSES",
    "ExponentialBackoff",
    "RetryMiddleware",
    "parse_retry_after",
)

DEFAULT_RETRY_STATUSES: frozenset[int] = frozenset({429, 500, 502, 503, 504})
DEFAULT_RETRY_METHODS: frozenset[str] = frozenset(
    {hdrs.METH_GET, hdrs.METH_HEAD, hdrs.METH_OPTIONS, hdrs.METH_TRACE, hdrs.METH_PUT, hdrs.METH_DELETE}
)
# Connection errors (refused, reset, server closed, DNS) and the socket timeouts — which
# cyhttp, like aiohttp, raises as ServerTimeoutError, a ClientConnectionError.
DEFAULT_RETRY_EXCEPTIONS: tuple[type[BaseException], ...] = (cyhttp.ClientConnectionError,)
_DRAIN_MAX = 64 * 1024  # a retried answer's body up to this size is read so its connection is reused

RetryHook = Callable[[ClientRequest, int, float, "ClientResponse | BaseException"], None]


class ExponentialBackoff:
    """``min(cap, base * factor ** (attempt - 1))``, less up to ``jitter`` of it at random.

    ``jitter=0`` waits exactly the exponential delay; ``jitter=1`` is "full jitter" (a
    uniform wait between 0 and the delay), which spreads many clients' retries best.
    """

    __slots__ = ("base", "cap", "factor", "jitter", "_random")

    def __init__(self, base: float = 0.5, cap: float = 30.0, jitter: float = 0.5, factor: float = 2.0,
                 *, rng: random.Random | None = None) -> None:
        if base < 0 or cap < 0 or factor < 1:
            raise ValueError("base and cap must be >= 0 and factor >= 1")
        if not 0 <= jitter <= 1:
            raise ValueError("jitter is a fraction of the delay, between 0 and 1")
        self.base = base
        self.cap = cap
        self.factor = factor
        self.jitter = jitter
        self._random = (rng or random.Random()).random

    def __call__(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        delay = min(self.cap, self.base * self.factor ** (attempt - 1))
        if self.jitter:
            delay -= self.jitter * delay * self._random()
        return delay

    def __repr__(self) -> str:
        return f"ExponentialBackoff(base={self.base}, cap={self.cap}, jitter={self.jitter}, factor={self.factor})"


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait for a ``Retry-After`` value (delta-seconds or an HTTP date); None if absent
    or unreadable.  A date in the past means 0."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; an obsolete form without a zone is too
        import datetime

        when = when.replace(tzinfo=datetime.timezone.utc)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _deadline(req: ClientRequest) -> float | None:
    """The loop time by which the whole request must be done (its total timeout), if any."""
    # The session keeps it in the request's response parameters; there is no public
    # accessor yet (see docs/crawl.md, "What the client could expose").
    params: tuple[Any, ...] = getattr(req, "response_params", ())
    when = params[4] if len(params) > 4 else None
    return when if isinstance(when, float) else None


class _FileReplay:
    """A file body that can be written more than once: rewound to its start each time and
    closed when the retries are over (not after the first write, as a file payload is)."""

    def __init__(self, payload: IOBasePayload, fileobj: Any) -> None:
        self._payload = payload
        self._file = fileobj
        self._start: int = fileobj.tell()
        self._writing = False
        self._finished = False
        self.size = payload.size
        self.headers = payload.headers
        self.consumed = False

    async def write(self, writer: Any) -> None:
        loop = asyncio.get_running_loop()
        self._writing = True
        try:
            await loop.run_in_executor(None, self._file.seek, self._start)
            while True:
                chunk: bytes = await loop.run_in_executor(None, self._file.read, 2**16)
                if not chunk:
                    break
                await writer.write(chunk)
        finally:
            self._writing = False
            if self._finished:
                self._file.close()

    def finish(self) -> None:
        self._finished = True
        if not self._writing:
            self._file.close()

    async def close(self) -> None:
        self.finish()


def _replayable(body: Any) -> bool:
    """Can ``body`` be written again as it was the first time?"""
    if body is None or type(body) is bytes or isinstance(body, (BytesPayload, _FileReplay)):
        return True
    if isinstance(body, MultipartWriter):
        return all(_replayable(part) for part in body)
    return False


def _file_of(body: Any) -> Any:
    """The seekable file under a file payload, or None."""
    if not isinstance(body, IOBasePayload):
        return None
    fileobj = getattr(body, "_value", None)  # a payload keeps its value there (as aiohttp's)
    try:
        if fileobj is not None and fileobj.seekable() and "b" in getattr(fileobj, "mode", "b"):
            fileobj.tell()
            return fileobj
    except (AttributeError, OSError, ValueError):
        pass
    return None


class RetryMiddleware:
    """Retry a request on a retryable status or a connection error (a client middleware).

    ``attempts`` counts every try, the first included (``attempts=1``: no retry).  Only
    ``methods`` are retried (the idempotent ones by default).  ``Retry-After`` (on any
    retried status) is honoured when ``respect_retry_after``; one longer than
    ``max_retry_after`` seconds returns the answer as it is.  ``on_retry(req, attempt,
    delay, answer_or_error)`` is called before each wait (``HostStats.on_retry`` fits).
    """

    __slots__ = ("attempts", "backoff", "statuses", "methods", "exceptions", "respect_retry_after",
                 "max_retry_after", "on_retry", "_loop_sleep")

    def __init__(
        self,
        attempts: int = 3,
        backoff: Callable[[int], float] | None = None,
        statuses: Collection[int] = DEFAULT_RETRY_STATUSES,
        methods: Collection[str] = DEFAULT_RETRY_METHODS,
        exceptions: tuple[type[BaseException], ...] = DEFAULT_RETRY_EXCEPTIONS,
        respect_retry_after: bool = True,
        max_retry_after: float = 120.0,
        on_retry: RetryHook | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts counts the first try too: it must be >= 1")
        self.attempts = attempts
        self.backoff: Callable[[int], float] = backoff if backoff is not None else ExponentialBackoff()
        self.statuses = frozenset(statuses)
        self.methods = frozenset(m.upper() for m in methods)
        self.exceptions = exceptions
        self.respect_retry_after = respect_retry_after
        self.max_retry_after = max_retry_after
        self.on_retry = on_retry
        self._loop_sleep = sleep

    def __repr__(self) -> str:
        return (f"RetryMiddleware(attempts={self.attempts}, backoff={self.backoff!r}, "
                f"statuses={sorted(self.statuses)})")

    def __call__(self, req: ClientRequest, handler: ClientHandlerType) -> Awaitable[ClientResponse]:
        if self.attempts == 1 or req.method not in self.methods:
            return handler(req)  # nothing to do: no coroutine of our own
        return self._run(req, handler)

    async def _run(self, req: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        # The first attempt with nothing to set up is the common case: kept to one await.
        body = req.body
        if (body is not None and type(body) is not bytes) or req.traces:
            return await self._retrying(req, handler)
        try:
            resp = await handler(req)
        except self.exceptions as exc:
            return await self._retrying(req, handler, exc)
        if resp.status in self.statuses:
            return await self._retrying(req, handler, resp)
        return resp

    async def _retrying(self, req: ClientRequest, handler: ClientHandlerType,
                        first: ClientResponse | BaseException | None = None) -> ClientResponse:
        replay: _FileReplay | None = None
        fileobj = _file_of(req.body)
        if fileobj is not None:
            replay = req.body = _FileReplay(req.body, fileobj)
        traces = req.traces
        attempt = 1
        try:
            while True:
                for trace in traces:
                    ctx = getattr(trace, "_trace_config_ctx", None)
                    if ctx is not None:
                        ctx.attempt = attempt
                try:
                    if first is None:
                        resp = await handler(req)
                    elif isinstance(first, BaseException):
                        exc, first = first, None
                        raise exc
                    else:
                        resp, first = first, None
                except self.exceptions as exc:
                    if attempt >= self.attempts or not self._can_resend(req, exc):
                        raise
                    delay = self.backoff(attempt)
                    if not self._fits(req, delay):
                        raise
                    answer: ClientResponse | BaseException = exc
                else:
                    if resp.status not in self.statuses or attempt >= self.attempts or not self._can_resend(req, None):
                        return resp
                    wait = self._delay(resp, attempt)
                    if wait is None or not self._fits(req, wait):
                        return resp
                    delay = wait
                    await _discard(resp)
                    answer = resp
                if self.on_retry is not None:
                    self.on_retry(req, attempt, delay, answer)
                req.terminate()  # a body still going out with the last attempt stops here
                attempt += 1
                if delay > 0:
                    await self._loop_sleep(delay)
        finally:
            if replay is not None:
                replay.finish()

    def _delay(self, resp: ClientResponse, attempt: int) -> float | None:
        if self.respect_retry_after:
            headers = resp.headers
            after = parse_retry_after(headers.get(hdrs.RETRY_AFTER)) if hdrs.RETRY_AFTER in headers else None
            if after is not None:
                return after if after <= self.max_retry_after else None
        return self.backoff(attempt)

    @staticmethod
    def _fits(req: ClientRequest, delay: float) -> bool:
        when = _deadline(req)
        return when is None or asyncio.get_running_loop().time() + delay < when

    @staticmethod
    def _can_resend(req: ClientRequest, exc: BaseException | None) -> bool:
        body = req.body
        if _replayable(body):
            return True
        # A stream can still go out if it never started: the connect failed.
        return isinstance(exc, cyhttp.ClientConnectorError) and not getattr(body, "consumed", True)


async def _discard(resp: ClientResponse) -> None:
    """Finish with an answer that will be retried: read a small body (its connection is
    reused), close the connection otherwise."""
    length = resp.content_length
    if length is not None and length <= _DRAIN_MAX:
        try:
            await resp.read()
        except (cyhttp.ClientError, asyncio.TimeoutError):
            resp.close()
            return
        resp.release()
    else:
        resp.close()
