"""``Crawler``: the engine behind ``cyhttp crawl`` — workers, a frontier, a session.

How this works: ``concurrency`` worker tasks take items from the frontier, fetch each
with one ``ClientSession`` whose middlewares are the toolkit (retries, robots.txt,
politeness, statistics), write one JSON line per fetched URL, and hand the page's links
back to the frontier (``follow``: same site, up to ``depth``, allow / deny patterns).
``stop()`` (Ctrl-C in the CLI) cancels the fetches in flight and gives their items back,
so ``state()`` — the queue and the seen-set — lets a later run ``resume`` without
fetching anything twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from yarl import URL

import cyhttp
from cyhttp import ClientSession, ClientTimeout, TCPConnector, __version__
from cyhttp.client_middlewares import ClientMiddlewareType

from .charset import sniff_charset
from .frontier import Frontier, Item, MemoryFrontier
from .links import LinkFilter, extract_links
from .politeness import HostPolicy, PolitenessMiddleware
from .retry import ExponentialBackoff, RetryMiddleware
from .stats import HostStats

__all__ = ("CrawlConfig", "Crawler", "DEFAULT_USER_AGENT")

DEFAULT_USER_AGENT = f"cyhttp-crawl/{__version__}"


@dataclass
class CrawlConfig:
    """Everything a crawl is told (the CLI's options)."""

    concurrency: int = 16
    per_host: int = 2
    rate: float | None = None
    delay: float = 0.0
    jitter: float = 0.0
    adaptive: bool = False
    retries: int = 2
    robots: bool = False
    user_agent: str = DEFAULT_USER_AGENT
    proxy: str | None = None
    follow: bool = False
    depth: int = 1
    allow: Sequence[str] = ()
    deny: Sequence[str] = ()
    same_site: bool = True
    max_pages: int | None = None
    max_body: int = 10 * 1024 * 1024
    timeout: float = 30.0
    drain: float = 10.0  # on stop, seconds the fetches in flight may take to finish
    headers_out: bool = True
    bodies_dir: str | None = None
    extra_middlewares: Sequence[ClientMiddlewareType] = field(default_factory=tuple)


class Crawler:
    """Fetch start URLs (and, with ``follow``, their links) with a bounded worker pool."""

    def __init__(self, config: CrawlConfig, frontier: Frontier | None = None, out: IO[str] | None = None,
                 *, politeness: ClientMiddlewareType | None = None,
                 on_result: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.config = config
        self.frontier: Frontier = frontier if frontier is not None else MemoryFrontier(config.per_host)
        self.out = out
        self.on_result = on_result
        self.stats = HostStats()
        self.links = LinkFilter(allow=config.allow, deny=config.deny, same_site=config.same_site)
        self.politeness: ClientMiddlewareType = politeness if politeness is not None else PolitenessMiddleware(
            HostPolicy(rate=config.rate, burst=1, delay=config.delay, jitter=config.jitter),
            adaptive=config.adaptive)
        self.fetched = 0
        self.errors = 0
        self.bytes = 0
        self.started = time.monotonic()
        self._stopping = False
        self._workers: list[asyncio.Task[None]] = []
        self._taking: dict[asyncio.Task[Any], bool] = {}
        self._drain_handle: asyncio.TimerHandle | None = None
        self._claimed = 0

    # -- start and stop ----------------------------------------------------------------

    async def add_start_urls(self, urls: Iterable[str]) -> int:
        items = []
        for text in urls:
            text = text.strip()
            if not text or text.startswith("#"):
                continue
            url = URL(text if "://" in text else f"http://{text}")
            self.links.add_site(url)
            items.append((str(url.with_fragment(None)), 0))
        return await self.frontier.add(items)

    def stop(self, drain: float | None = None) -> None:
        """Stop taking new URLs; the fetches in flight may finish for ``drain`` seconds
        (default ``config.drain``), then they are cancelled and their items given back."""
        if self._stopping:
            drain = 0.0
        self._stopping = True
        self._wake_takers()
        delay = self.config.drain if drain is None else drain
        loop = asyncio.get_running_loop()
        if delay <= 0:
            self._cancel_workers()
        else:
            self._drain_handle = loop.call_later(delay, self._cancel_workers)

    def _cancel_workers(self) -> None:
        for task in self._workers:
            task.cancel()

    def _wake_takers(self) -> None:
        """Workers waiting for a URL give up (a frontier's ``take`` is cancelled)."""
        for task, waiting in list(self._taking.items()):
            if waiting:
                task.cancel()

    @property
    def stopped(self) -> bool:
        return self._stopping

    def middlewares(self) -> list[ClientMiddlewareType]:
        cfg = self.config
        mws: list[ClientMiddlewareType] = []
        if cfg.retries > 0:
            mws.append(RetryMiddleware(attempts=cfg.retries + 1, backoff=ExponentialBackoff(0.5, 10.0),
                                       on_retry=self.stats.on_retry))
        if cfg.robots:
            from .robots import RobotsMiddleware

            polite = self.politeness if isinstance(self.politeness, PolitenessMiddleware) else None
            mws.append(RobotsMiddleware(cfg.user_agent.split("/")[0], politeness=polite,
                                        fetch_middlewares=(self.politeness,)))
        mws.append(self.politeness)
        mws.extend(cfg.extra_middlewares)
        mws.append(self.stats)
        return mws

    def _connector(self) -> TCPConnector:
        cfg = self.config
        limit = max(cfg.concurrency, 1)
        if cfg.proxy and cfg.proxy.startswith("socks"):
            from .socks import SocksConnector

            return SocksConnector(cfg.proxy, limit=limit, limit_per_host=cfg.per_host)
        return TCPConnector(limit=limit, limit_per_host=cfg.per_host)

    async def run(self) -> None:
        cfg = self.config
        proxy = cfg.proxy if cfg.proxy and not cfg.proxy.startswith("socks") else None
        timeout = ClientTimeout(total=cfg.timeout, sock_connect=min(cfg.timeout, 10.0))
        async with ClientSession(
            connector=self._connector(), middlewares=self.middlewares(), timeout=timeout, proxy=proxy,
            headers={"User-Agent": cfg.user_agent}, cookie_jar=cyhttp.DummyCookieJar(),
        ) as session:
            self._workers = [asyncio.ensure_future(self._worker(session)) for _ in range(max(cfg.concurrency, 1))]
            try:
                await asyncio.gather(*self._workers, return_exceptions=True)
            finally:
                for task in self._workers:
                    task.cancel()
                if self._drain_handle is not None:
                    self._drain_handle.cancel()

    # -- the work ------------------------------------------------------------------------

    async def _worker(self, session: ClientSession) -> None:
        cfg = self.config
        task = asyncio.current_task()
        assert task is not None
        while not self._stopping:
            if cfg.max_pages is not None and self._claimed >= cfg.max_pages:
                return
            self._taking[task] = True
            try:
                item = await self.frontier.take()
            except asyncio.CancelledError:
                if self._stopping:
                    return
                raise
            finally:
                self._taking[task] = False
            if item is None:
                return
            if self._stopping:  # taken as the stop came: not started, so back it goes
                await self.frontier.give_back(item)
                return
            self._claimed += 1
            try:
                result, links = await self.fetch(session, item)
            except asyncio.CancelledError:
                await asyncio.shield(self.frontier.give_back(item))
                raise
            if await self.frontier.done(item, result, links):
                self._record(result)

    def _record(self, result: dict[str, Any]) -> None:
        self.fetched += 1
        if result.get("error") is not None:
            self.errors += 1
        self.bytes += int(result.get("size") or 0)
        if self.out is not None:
            self.out.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
        if self.on_result is not None:
            self.on_result(result)

    async def fetch(self, session: ClientSession, item: Item) -> tuple[dict[str, Any], list[tuple[str, int]]]:
        """Fetch one item: its result line and the links to follow."""
        cfg = self.config
        url = URL(item.url, encoded=True)
        result: dict[str, Any] = {"url": item.url, "depth": item.depth, "status": None, "error": None}
        links: list[tuple[str, int]] = []
        t0 = time.monotonic()
        try:
            async with session.get(url) as resp:
                ttfb = time.monotonic() - t0
                result["status"] = resp.status
                if str(resp.url) != item.url:
                    result["final_url"] = str(resp.url)
                if cfg.headers_out:
                    result["headers"] = {k: v for k, v in resp.headers.items()}
                body = await _read_bounded(resp, cfg.max_body)
                result["size"] = len(body)
                if resp.content_length is None:
                    self.stats.add_bytes(url, len(body))
                result["timings"] = {"ttfb": round(ttfb, 6), "total": round(time.monotonic() - t0, 6)}
                if cfg.bodies_dir:
                    name = hashlib.sha1(item.url.encode()).hexdigest()
                    path = os.path.join(cfg.bodies_dir, name)
                    with open(path, "wb") as f:
                        f.write(body)
                    result["body_file"] = path
                ctype = resp.headers.get("Content-Type", "")
                if cfg.follow and item.depth < cfg.depth and resp.status < 300 and "html" in ctype.lower():
                    encoding = resp.charset or sniff_charset(body, guess=False) or "utf-8"
                    found: dict[str, None] = {}
                    for link in extract_links(body, resp.url, encoding):
                        if self.links(link):
                            found[str(link)] = None
                    links = [(u, item.depth + 1) for u in found]
        except asyncio.CancelledError:
            raise
        except (cyhttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as exc:
            result["error"] = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            result["timings"] = {"total": round(time.monotonic() - t0, 6)}
        return result, links


async def _read_bounded(resp: cyhttp.ClientResponse, limit: int) -> bytes:
    """The body, or its first ``limit`` bytes (the connection is then closed, not drained)."""
    if not limit:
        return await resp.read()
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await resp.content.read(limit - size)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    if not resp.content.at_eof():
        resp.close()
    return b"".join(chunks)
