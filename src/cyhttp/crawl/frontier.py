"""The crawl frontier: what is queued, what was seen, what is in flight.

How this works: ``MemoryFrontier`` keeps one FIFO queue per host and a round-robin list
of the hosts that have work and are below their in-flight limit, so a worker never
waits behind a busy host while another host has pages ready; politeness timing itself is
the session's ``PolitenessMiddleware``.  A URL is queued once (the seen-set); ``done``
releases the host and queues the page's new links.  ``snapshot`` / ``restore`` are what
the state file of an interrupted crawl holds.  ``RedisFrontier`` (``redis_frontier.py``)
implements the same interface in Redis for several processes.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import Any, NamedTuple, Protocol

from yarl import URL

from .politeness import host_key

__all__ = ("Frontier", "Item", "MemoryFrontier")


class Item(NamedTuple):
    url: str
    depth: int
    token: str = ""  # the lease a shared frontier gave it ("" in memory)


class Frontier(Protocol):
    """What the crawler needs from a frontier."""

    async def add(self, items: Iterable[tuple[str, int]]) -> int:
        """Queue the URLs not seen before; how many were new."""
        ...

    async def take(self) -> Item | None:
        """The next item to fetch; None when the crawl is over (nothing queued or in flight)."""
        ...

    async def done(self, item: Item, result: dict[str, Any], links: Iterable[tuple[str, int]]) -> bool:
        """Record ``item`` fetched (its result, its new links); False if its lease was lost."""
        ...

    async def give_back(self, item: Item) -> None:
        """Return an unfinished item to the queue (an interrupted fetch)."""
        ...

    async def counts(self) -> tuple[int, int, int]:
        """(done, queued, in flight)."""
        ...

    async def close(self) -> None: ...


class MemoryFrontier:
    """One process's frontier, with per-host queues and per-host in-flight limits."""

    def __init__(self, per_host: int = 2) -> None:
        self.per_host = max(per_host, 1)
        self._queues: dict[str, deque[Item]] = {}
        self._ready: deque[str] = deque()
        self._in_ready: set[str] = set()
        self._inflight: dict[str, int] = {}
        self._inflight_items: dict[str, Item] = {}
        self.seen: set[str] = set()
        self.done_count = 0
        self._queued = 0
        self._wakeup = asyncio.Event()
        self._closed = False

    def _mark_ready(self, host: str) -> None:
        if host not in self._in_ready and self._queues.get(host) and self._inflight.get(host, 0) < self.per_host:
            self._ready.append(host)
            self._in_ready.add(host)
            self._wakeup.set()

    def _push(self, item: Item, front: bool = False) -> None:
        host = host_key(URL(item.url))
        queue = self._queues.get(host)
        if queue is None:
            queue = self._queues[host] = deque()
        if front:
            queue.appendleft(item)
        else:
            queue.append(item)
        self._queued += 1
        self._mark_ready(host)

    async def add(self, items: Iterable[tuple[str, int]]) -> int:
        new = 0
        for url, depth in items:
            if url not in self.seen:
                self.seen.add(url)
                self._push(Item(url, depth))
                new += 1
        return new

    async def take(self) -> Item | None:
        while True:
            if self._closed:
                return None
            if self._ready:
                host = self._ready.popleft()
                self._in_ready.discard(host)
                queue = self._queues[host]
                item = queue.popleft()
                self._queued -= 1
                if not queue:
                    del self._queues[host]
                self._inflight[host] = self._inflight.get(host, 0) + 1
                self._inflight_items[item.url] = item
                self._mark_ready(host)  # round robin: back at the end if it has more and room
                return item
            if not self._inflight_items:
                self._wakeup.set()  # wake the other waiting workers: the crawl is over
                return None
            self._wakeup.clear()
            await self._wakeup.wait()

    def _release(self, item: Item) -> None:
        host = host_key(URL(item.url))
        self._inflight_items.pop(item.url, None)
        left = self._inflight.get(host, 1) - 1
        if left:
            self._inflight[host] = left
        else:
            self._inflight.pop(host, None)
        self._mark_ready(host)
        self._wakeup.set()

    async def done(self, item: Item, result: dict[str, Any], links: Iterable[tuple[str, int]]) -> bool:
        self.done_count += 1
        await self.add(links)
        self._release(item)
        return True

    async def give_back(self, item: Item) -> None:
        self._release(item)
        self._push(item, front=True)

    async def counts(self) -> tuple[int, int, int]:
        return self.done_count, self._queued, len(self._inflight_items)

    async def close(self) -> None:
        self._closed = True
        self._wakeup.set()

    # -- the state file ------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything needed to continue: the queue (in-flight items first) and the seen-set."""
        pending = [list(i[:2]) for i in self._inflight_items.values()]
        for queue in self._queues.values():
            pending.extend(list(i[:2]) for i in queue)
        return {"pending": pending, "seen": sorted(self.seen), "done": self.done_count}

    def restore(self, state: dict[str, Any]) -> None:
        self.seen.update(state.get("seen", ()))
        self.done_count = int(state.get("done", 0))
        for url, depth in state.get("pending", ()):
            self._push(Item(url, int(depth)))
