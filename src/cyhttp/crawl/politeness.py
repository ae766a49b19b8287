"""Per-host politeness: ``HostPolicy`` and ``PolitenessMiddleware``.

How this works: every host (``host`` or ``host:port`` for a non-default port) has a
schedule.  A request *reserves* the earliest start its host allows — not before the
host's ``delay`` (± ``jitter``) after the previous start, within the host's ``rate`` /
``burst`` (a GCRA token bucket), not before a ``Retry-After`` or robots.txt
``Crawl-delay`` says — and sleeps until then.  Reservations are taken synchronously, so
any number of concurrent requests to one host queue up in order without a lock.  A
request that may start now costs a dict lookup and a few float operations, and no
coroutine of the middleware's own.

``adaptive=True`` adds Scrapy AutoThrottle's rule: after each answer the host's delay
moves halfway towards ``latency / target_concurrency`` (never below the policy's
``delay``, never above ``max_delay``), a non-2xx answer may raise it but never lower it,
and a 429 or 503 doubles it (and honours its ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from yarl import URL

from cyhttp import ClientRequest, ClientResponse, hdrs
from cyhttp.client_middlewares import ClientHandlerType

from .retry import parse_retry_after

__all__ = ("HostPolicy", "PolitenessMiddleware", "host_key")


def host_key(url: URL) -> str:
    """The politeness (and statistics) key of ``url``: its host, with the port when not the
    scheme's default (``example.com``, ``127.0.0.1:8080``, ``[::1]:8080``)."""
    # yarl caches it on the URL, and the request has already asked for it: a dict hit.
    return url.host_port_subcomponent or ""


@dataclass(frozen=True)
class HostPolicy:
    """How often one host may be asked.

    ``rate``: requests per second on average (None: no limit), with ``burst`` of them
    allowed back to back; ``delay``: at least this many seconds between two request
    starts; ``jitter``: each delay is scaled by a random factor in ``[1 - jitter, 1 +
    jitter]`` (Scrapy's RANDOMIZE_DOWNLOAD_DELAY is ``jitter=0.5``).
    """

    rate: float | None = None
    burst: int = 1
    delay: float = 0.0
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if self.rate is not None and self.rate <= 0:
            raise ValueError("rate must be > 0 requests per second (None: unlimited)")
        if self.burst < 1:
            raise ValueError("burst must be >= 1")
        if self.delay < 0:
            raise ValueError("delay must be >= 0")
        if not 0 <= self.jitter <= 1:
            raise ValueError("jitter must be between 0 and 1")

    @property
    def unlimited(self) -> bool:
        return self.rate is None and self.delay == 0


class _Host:
    """One host's schedule."""

    __slots__ = ("policy", "interval", "tolerance", "tat", "last", "not_before", "delay", "robots_delay",
                 "free")

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy
        self.interval = 1.0 / policy.rate if policy.rate else 0.0
        self.tolerance = (policy.burst - 1) * self.interval
        self.tat = 0.0  # GCRA theoretical arrival time
        self.last = -1e18  # start of the last reserved request
        self.not_before = 0.0  # Retry-After from the host
        self.delay = policy.delay  # the current minimum gap (adaptive mode moves it)
        self.robots_delay = 0.0
        self.free = policy.unlimited

    def reserve(self, now: float, rng: random.Random) -> float:
        """Reserve the next start; returns how long to wait for it (0: go now)."""
        start = now if now >= self.not_before else self.not_before
        gap = self.delay if self.delay >= self.robots_delay else self.robots_delay
        if gap:
            jitter = self.policy.jitter
            if jitter:
                gap *= 1.0 + jitter * (2.0 * rng.random() - 1.0)
            if self.last + gap > start:
                start = self.last + gap
        interval = self.interval
        if interval:
            tat = self.tat if self.tat > start else start
            if tat - self.tolerance > start:
                start = tat - self.tolerance
            self.tat = tat + interval
        self.last = start
        return start - now

    def refresh(self) -> None:
        self.free = self.policy.unlimited and self.delay == 0 and self.robots_delay == 0 and self.not_before == 0


class PolitenessMiddleware:
    """Per-host rate, delay and adaptive backoff for every request of a session.

    ``default`` applies to every host not in ``hosts`` (``{"example.com": HostPolicy(...)}``,
    keyed like ``host_key``).  A robots.txt ``Crawl-delay`` comes in through
    ``set_crawl_delay`` (``RobotsMiddleware(politeness=...)`` calls it).
    """

    def __init__(
        self,
        default: HostPolicy | None = None,
        hosts: Mapping[str, HostPolicy] | None = None,
        *,
        adaptive: bool = False,
        target_concurrency: float = 1.0,
        max_delay: float = 60.0,
        backoff_statuses: Collection[int] = (429, 503),
        max_hosts: int = 100_000,
        rng: random.Random | None = None,
    ) -> None:
        if target_concurrency <= 0:
            raise ValueError("target_concurrency must be > 0")
        self.default = default if default is not None else HostPolicy()
        self.overrides: dict[str, HostPolicy] = dict(hosts or {})
        self.adaptive = adaptive
        self.target_concurrency = target_concurrency
        self.max_delay = max_delay
        self.backoff_statuses = frozenset(backoff_statuses)
        self._max_hosts = max_hosts
        self._hosts: dict[str, _Host] = {}
        self._rng = rng or random.Random()
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:
        return f"PolitenessMiddleware(default={self.default!r}, hosts={len(self.overrides)}, adaptive={self.adaptive})"

    # -- the schedule ------------------------------------------------------------------

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            if len(self._hosts) >= self._max_hosts:
                self._forget_idle()
            host = self._hosts[key] = _Host(self.overrides.get(key, self.default))
        return host

    def _forget_idle(self) -> None:
        now = self._now()
        for key in [k for k, h in self._hosts.items() if h.last + max(h.delay, h.robots_delay, 1.0) < now
                    and h.not_before < now]:
            del self._hosts[key]

    def _now(self) -> float:
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop.time()

    def delay_of(self, key: str) -> float:
        """The current minimum gap between two requests to ``key``."""
        host = self._hosts.get(key)
        if host is None:
            return self.overrides.get(key, self.default).delay
        return max(host.delay, host.robots_delay)

    def set_crawl_delay(self, key: str, seconds: float | None) -> None:
        """robots.txt's ``Crawl-delay`` (or ``Request-rate``) for ``key`` (capped at ``max_delay``)."""
        host = self._host(key)
        host.robots_delay = min(max(seconds or 0.0, 0.0), self.max_delay)
        host.refresh()

    def reserve(self, key: str) -> float:
        """Reserve the next start for ``key``; the seconds to wait (used by the crawler's
        scheduler, which waits before taking a connection)."""
        host = self._host(key)
        if host.free:
            return 0.0
        return host.reserve(self._now(), self._rng)

    # -- the middleware ----------------------------------------------------------------

    def __call__(self, req: ClientRequest, handler: ClientHandlerType) -> Awaitable[ClientResponse]:
        host = self._host(host_key(req.url))
        if self.adaptive:
            return self._adaptive(req, handler, host)
        if host.free:
            return handler(req)
        wait = host.reserve(self._now(), self._rng)
        if wait <= 0:
            return handler(req)
        return self._wait(req, handler, wait)

    @staticmethod
    async def _wait(req: ClientRequest, handler: ClientHandlerType, wait: float) -> ClientResponse:
        await asyncio.sleep(wait)
        return await handler(req)

    async def _adaptive(self, req: ClientRequest, handler: ClientHandlerType, host: _Host) -> ClientResponse:
        loop = self._loop or asyncio.get_running_loop()
        self._loop = loop
        if not host.free:
            wait = host.reserve(loop.time(), self._rng)
            if wait > 0:
                await asyncio.sleep(wait)
        start = loop.time()
        resp = await handler(req)
        self._learn(host, resp, loop.time() - start, loop.time())
        return resp

    def _learn(self, host: _Host, resp: ClientResponse, latency: float, now: float) -> None:
        status = resp.status
        floor = host.policy.delay
        if status in self.backoff_statuses:
            host.delay = min(self.max_delay, max(host.delay * 2.0, floor, 0.25, latency))
            headers: Any = resp.headers
            if hdrs.RETRY_AFTER in headers:
                after = parse_retry_after(headers[hdrs.RETRY_AFTER])
                if after is not None:
                    host.not_before = now + min(after, self.max_delay)
        else:
            target = latency / self.target_concurrency
            new = (host.delay + target) / 2.0
            if status >= 300 and new < host.delay:
                new = host.delay  # an error answer is often fast: it must not speed us up
            host.delay = min(self.max_delay, max(floor, new))
        host.free = False
