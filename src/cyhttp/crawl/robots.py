"""``RobotsMiddleware``: robots.txt (RFC 9309) checked before a request goes out.

How this works: for each origin the middleware fetches ``/robots.txt`` once (concurrent
requests share the one fetch), parses it with protego (the parser Scrapy uses) and keeps
the rules in a bounded LRU cache for ``ttl`` seconds (RFC 9309 §2.4: at most a day).  What
the fetch found decides, as §2.3.1 says: a 2xx body is parsed (only its first
``max_size`` bytes, at least the 500 KiB the RFC asks for); 4xx ("unavailable") allows
everything; 5xx or a network error ("unreachable") disallows everything for
``error_ttl`` seconds — or keeps using an expired copy, if there is one — and then asks
again.  Redirects are followed up to five hops.  A disallowed URL raises
``RobotsDisallowed`` before anything is sent to it; an allowed one with the rules
cached costs one parser lookup and no coroutine.  The group's ``Crawl-delay`` (or
``Request-rate``) goes to a ``PolitenessMiddleware`` when one is given.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Awaitable, Sequence
from typing import Any

from protego import Protego
from yarl import URL

import cyhttp
from cyhttp import ClientRequest, ClientResponse, ClientSession, ClientTimeout
from cyhttp.client_middlewares import ClientHandlerType, ClientMiddlewareType

from .politeness import PolitenessMiddleware, host_key

__all__ = ("RobotsDisallowed", "RobotsMiddleware", "RobotsRules")

_DAY = 86400.0
_ALLOW, _DISALLOW, _PARSED = 0, 1, 2


class RobotsDisallowed(cyhttp.ClientError):
    """robots.txt forbids this URL to this user agent (nothing was sent to it)."""

    def __init__(self, url: URL, user_agent: str, reason: str = "disallowed by robots.txt") -> None:
        super().__init__(f"{url}: {reason} for {user_agent!r}")
        self.url = url
        self.user_agent = user_agent
        self.reason = reason


class RobotsRules:
    """One origin's verdict: allow all, disallow all, or parsed rules; and until when."""

    __slots__ = ("kind", "parser", "expires", "status", "crawl_delay")

    def __init__(self, kind: int, expires: float, status: int | None, parser: Any = None,
                 crawl_delay: float | None = None) -> None:
        self.kind = kind
        self.parser = parser
        self.expires = expires
        self.status = status  # the robots.txt answer's status (None: unreachable)
        self.crawl_delay = crawl_delay

    def allows(self, url: str, user_agent: str) -> bool:
        if self.kind == _ALLOW:
            return True
        if self.kind == _DISALLOW:
            return False
        return bool(self.parser.can_fetch(url, user_agent))

    def __repr__(self) -> str:
        kind = ("allow-all", "disallow-all", "rules")[self.kind]
        return f"<RobotsRules {kind} status={self.status} crawl_delay={self.crawl_delay}>"


class RobotsMiddleware:
    """Check every request against its origin's robots.txt (a client middleware)."""

    def __init__(
        self,
        user_agent: str,
        *,
        ttl: float = _DAY,
        error_ttl: float = 600.0,
        max_size: int = 512 * 1024,
        max_entries: int = 10_000,
        timeout: ClientTimeout | None = None,
        politeness: PolitenessMiddleware | None = None,
        fetch_middlewares: Sequence[ClientMiddlewareType] = (),
        max_redirects: int = 5,
    ) -> None:
        if not user_agent:
            raise ValueError("user_agent is the product token robots.txt groups are matched against")
        self.user_agent = user_agent
        self.ttl = ttl
        self.error_ttl = error_ttl
        self.max_size = max(max_size, 1)
        self.max_entries = max_entries
        self.timeout = timeout if timeout is not None else ClientTimeout(total=30, sock_connect=10)
        self.politeness = politeness
        self.fetch_middlewares = tuple(fetch_middlewares)
        self.max_redirects = max_redirects
        self._cache: OrderedDict[str, RobotsRules] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[RobotsRules]] = {}
        self.fetches = 0  # robots.txt requests made (for tests and statistics)

    def __repr__(self) -> str:
        return f"RobotsMiddleware(user_agent={self.user_agent!r}, cached={len(self._cache)})"

    # -- the middleware ----------------------------------------------------------------

    def __call__(self, req: ClientRequest, handler: ClientHandlerType) -> Awaitable[ClientResponse]:
        url = req.url
        if url.raw_path == "/robots.txt":
            return handler(req)
        origin = _origin(url)
        rules = self._cache.get(origin)
        if rules is not None and rules.expires > asyncio.get_running_loop().time():
            if not rules.allows(str(url), self.user_agent):
                raise RobotsDisallowed(url, self.user_agent)
            return handler(req)
        return self._check(req, handler, origin)

    async def _check(self, req: ClientRequest, handler: ClientHandlerType, origin: str) -> ClientResponse:
        rules = await self.rules(origin, req.session)
        if not rules.allows(str(req.url), self.user_agent):
            raise RobotsDisallowed(req.url, self.user_agent)
        return await handler(req)

    async def allowed(self, url: str | URL, session: ClientSession) -> bool:
        """Whether ``url`` may be fetched (fetching its robots.txt with ``session`` if needed)."""
        url = URL(url) if isinstance(url, str) else url
        if url.raw_path == "/robots.txt":
            return True
        rules = await self.rules(_origin(url), session)
        return rules.allows(str(url), self.user_agent)

    # -- the cache ---------------------------------------------------------------------

    async def rules(self, origin: str, session: ClientSession) -> RobotsRules:
        """The rules of ``origin`` (``scheme://host[:port]``), fetched if not fresh."""
        loop = asyncio.get_running_loop()
        rules = self._cache.get(origin)
        if rules is not None and rules.expires > loop.time():
            return rules
        fut = self._inflight.get(origin)
        if fut is None:
            fut = self._inflight[origin] = loop.create_task(self._refresh(origin, session, rules))
            fut.add_done_callback(functools.partial(self._done, origin))
        return await asyncio.shield(fut)

    def _done(self, origin: str, fut: asyncio.Future[RobotsRules]) -> None:
        self._inflight.pop(origin, None)
        if not fut.cancelled():
            fut.exception()  # retrieved: nobody may be left waiting

    def _store(self, origin: str, rules: RobotsRules) -> RobotsRules:
        self._cache[origin] = rules
        self._cache.move_to_end(origin)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        if self.politeness is not None:
            self.politeness.set_crawl_delay(host_key(URL(origin)), rules.crawl_delay)
        return rules

    async def _refresh(self, origin: str, session: ClientSession, stale: RobotsRules | None) -> RobotsRules:
        loop = asyncio.get_running_loop()
        self.fetches += 1
        try:
            status, body = await self._fetch(origin, session)
        except (cyhttp.ClientError, asyncio.TimeoutError, OSError, UnicodeError):
            status, body = None, b""
        now = loop.time()
        if status is not None and 200 <= status < 300:
            parser = Protego.parse(body.decode("utf-8", errors="replace"))
            return self._store(origin, RobotsRules(_PARSED, now + self.ttl, status, parser,
                                                   _crawl_delay(parser, self.user_agent)))
        if status is not None and 300 <= status < 500:
            # 4xx: "unavailable", anything may be fetched; 3xx here: too many redirects (§2.3.1.2).
            return self._store(origin, RobotsRules(_ALLOW, now + self.ttl, status))
        # 5xx or unreachable: everything disallowed for a while, unless an older copy exists.
        if stale is not None and stale.kind == _PARSED:
            stale.expires = now + self.error_ttl
            return self._store(origin, stale)
        return self._store(origin, RobotsRules(_DISALLOW, now + self.error_ttl, status))

    async def _fetch(self, origin: str, session: ClientSession) -> tuple[int, bytes]:
        url = URL(origin).with_path("/robots.txt")
        async with session.get(url, middlewares=self.fetch_middlewares, timeout=self.timeout,
                               max_redirects=self.max_redirects) as resp:
            if not 200 <= resp.status < 300:
                return resp.status, b""
            chunks: list[bytes] = []
            size = 0
            while size < self.max_size:
                chunk = await resp.content.read(self.max_size - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            if size >= self.max_size:
                resp.close()  # the rest is ignored (RFC 9309 §2.5)
            return resp.status, b"".join(chunks)


def _origin(url: URL) -> str:
    """``scheme://host[:port]`` (the port only when not the default): the cache key."""
    return url.scheme + "://" + (url.host_port_subcomponent or "")


def _crawl_delay(parser: Any, user_agent: str) -> float | None:
    delay = parser.crawl_delay(user_agent)
    if delay is not None:
        return float(delay)
    rate = parser.request_rate(user_agent)
    if rate is not None and rate.requests:
        return float(rate.seconds) / float(rate.requests)
    return None
