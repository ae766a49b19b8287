"""Per-host statistics: ``HostStats``, a middleware that counts what a session does.

How this works: the middleware sits innermost (last in ``middlewares=``) so it sees every
request that goes out — each retry and redirect hop too — and records, per host, the
requests, answers by status, errors by type, retries (``RetryMiddleware(on_retry=
stats.on_retry)``), bytes (the declared ``Content-Length``, or what a reader reports with
``add_bytes``) and the time to the response head in a log-scale histogram (buckets 5 %
apart), from which ``percentile`` reads p50 / p90 / p99 without keeping every sample.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from typing import Any

from yarl import URL

from cyhttp import ClientRequest, ClientResponse
from cyhttp.client_middlewares import ClientHandlerType

from .politeness import host_key

__all__ = ("HostStats", "HostCounters")

_LOG_STEP = math.log(1.05)
_FLOOR = 1e-5  # 10 µs: the histogram's first bucket


class HostCounters:
    """What one host saw."""

    __slots__ = ("requests", "statuses", "errors", "retries", "bytes", "_latency", "_count", "_total")

    def __init__(self) -> None:
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.errors: dict[str, int] = {}
        self.retries = 0
        self.bytes = 0
        self._latency: dict[int, int] = {}
        self._count = 0
        self._total = 0.0

    def _add_latency(self, seconds: float) -> None:
        index = int(math.log(seconds / _FLOOR) / _LOG_STEP) if seconds > _FLOOR else 0
        self._latency[index] = self._latency.get(index, 0) + 1
        self._count += 1
        self._total += seconds

    @property
    def mean_latency(self) -> float | None:
        return self._total / self._count if self._count else None

    def percentile(self, p: float) -> float | None:
        """The ``p``-th percentile (0–100) of time to the response head, in seconds (±2.5 %)."""
        if not self._count:
            return None
        rank = p / 100.0 * self._count
        seen = 0
        for index in sorted(self._latency):
            seen += self._latency[index]
            if seen >= rank:
                return _FLOOR * math.exp((index + 0.5) * _LOG_STEP)
        return None  # pragma: no cover - rank <= count

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests, "statuses": dict(sorted(self.statuses.items())),
            "errors": dict(self.errors), "retries": self.retries, "bytes": self.bytes,
            "latency": {"mean": self.mean_latency, "p50": self.percentile(50), "p90": self.percentile(90),
                        "p99": self.percentile(99)},
        }


class HostStats:
    """A middleware keeping ``HostCounters`` per host (``stats["example.com"]``)."""

    def __init__(self) -> None:
        self._hosts: dict[str, HostCounters] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def __getitem__(self, key: str) -> HostCounters:
        return self._hosts[key]

    def __contains__(self, key: object) -> bool:
        return key in self._hosts

    def __iter__(self) -> Iterator[str]:
        return iter(self._hosts)

    def __len__(self) -> int:
        return len(self._hosts)

    def counters(self, url_or_key: str | URL) -> HostCounters:
        key = host_key(url_or_key) if isinstance(url_or_key, URL) else url_or_key
        counters = self._hosts.get(key)
        if counters is None:
            counters = self._hosts[key] = HostCounters()
        return counters

    def totals(self) -> HostCounters:
        """Every host's counters added up."""
        out = HostCounters()
        for c in self._hosts.values():
            out.requests += c.requests
            out.retries += c.retries
            out.bytes += c.bytes
            for status, n in c.statuses.items():
                out.statuses[status] = out.statuses.get(status, 0) + n
            for name, n in c.errors.items():
                out.errors[name] = out.errors.get(name, 0) + n
            for index, n in c._latency.items():
                out._latency[index] = out._latency.get(index, 0) + n
            out._count += c._count
            out._total += c._total
        return out

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {key: c.as_dict() for key, c in sorted(self._hosts.items())}

    def add_bytes(self, url: URL, n: int) -> None:
        """Count ``n`` body bytes read from ``url`` (for answers without a Content-Length)."""
        self.counters(url).bytes += n

    def on_retry(self, req: ClientRequest, attempt: int, delay: float, answer: Any) -> None:
        """A ``RetryMiddleware`` hook: counts the retry against the request's host."""
        self.counters(req.url).retries += 1

    async def __call__(self, req: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        counters = self._hosts.get(host_key(req.url))
        if counters is None:
            counters = self.counters(req.url)
        counters.requests += 1
        start = loop.time()
        try:
            resp = await handler(req)
        except BaseException as exc:
            name = type(exc).__name__
            counters.errors[name] = counters.errors.get(name, 0) + 1
            raise
        counters._add_latency(loop.time() - start)
        status = resp.status
        counters.statuses[status] = counters.statuses.get(status, 0) + 1
        length = resp.content_length
        if length is not None:
            counters.bytes += length
        return resp
