"""``RedisFrontier``: one crawl frontier shared by any number of processes, in Redis.

How this works: the queue is a list, the seen-set a set, and an item a process takes is
*leased*, not removed: it moves to a sorted set scored by its lease's expiry, owned by a
token.  Every step is one Lua script, so it is atomic across processes:

- ``take``: leases that expired (their process died) go back to the queue's head, then
  the next item is leased to the caller;
- ``done``: only while the caller still holds the lease — the item is marked done, its
  result appended to the results stream, its links queued if never seen; a lost lease
  (expired and taken by another) changes nothing, so each URL has exactly one result;
- ``give_back``: an unfinished item returns to the queue's head at once;
- ``acquire``: the per-host "next allowed start", kept in Redis and granted only when due,
  so politeness holds per host across processes (``SharedPoliteness`` waits for it).

The crawl is over when the queue and the leases are both empty.  Times come from the
Redis server's clock (``TIME``), so processes on different machines agree.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import Awaitable, Iterable
from typing import Any

from redis.asyncio import Redis

from cyhttp import ClientRequest, ClientResponse
from cyhttp.client_middlewares import ClientHandlerType

from .frontier import Item
from .politeness import host_key

__all__ = ("RedisFrontier", "SharedPoliteness")

_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

# KEYS: queue, leases, owners, seen, done, results; ARGV: token, lease_ms
_TAKE = _NOW + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
for _, item in ipairs(expired) do
  redis.call('ZREM', KEYS[2], item)
  redis.call('HDEL', KEYS[3], item)
  redis.call('LPUSH', KEYS[1], item)
end
local item = redis.call('LPOP', KEYS[1])
if not item then
  return {false, redis.call('ZCARD', KEYS[2])}
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), item)
redis.call('HSET', KEYS[3], item, ARGV[1])
return {item, 0}
"""

# KEYS: queue, leases, owners, seen, done, results; ARGV: item, token, url, result json, link items...
_DONE = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return -1
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
if redis.call('SADD', KEYS[5], ARGV[3]) == 0 then
  return -2
end
redis.call('XADD', KEYS[6], '*', 'url', ARGV[3], 'result', ARGV[4])
local new = 0
for i = 5, #ARGV, 2 do
  if redis.call('SADD', KEYS[4], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[1], ARGV[i + 1])
    new = new + 1
  end
end
return new
"""

# KEYS: queue, leases, owners; ARGV: item, token
_GIVE_BACK = """
if redis.call('HGET', KEYS[3], ARGV[1]) ~= ARGV[2] then
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('LPUSH', KEYS[1], ARGV[1])
return 1
"""

# KEYS: seen, queue; ARGV: url, item, url, item...
_ADD = """
local new = 0
for i = 1, #ARGV, 2 do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then
    redis.call('RPUSH', KEYS[2], ARGV[i + 1])
    new = new + 1
  end
end
return new
"""

# KEYS: next-allowed key of one host; ARGV: gap_ms -> 0 (go now: the slot is yours) or ms to
# wait before asking again.  A slot is granted only when it is due, so two grants are always
# at least a gap apart however late a process wakes up.
_ACQUIRE = _NOW + """
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nxt > now then
  return nxt - now
end
redis.call('SET', KEYS[1], now + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return 0
"""


def _encode(url: str, depth: int) -> str:
    return json.dumps([url, depth], separators=(",", ":"))


class RedisFrontier:
    """The ``Frontier`` interface on Redis (``redis://host:port/db``), for many processes."""

    def __init__(self, redis: Redis, name: str = "cyhttp", lease: float = 60.0, poll: float = 0.05,
                 per_host: int = 2) -> None:
        self.redis = redis
        self.name = name
        self.lease_ms = int(lease * 1000)
        self.poll = poll
        self.per_host = per_host
        self._owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._counter = 0
        k = f"{name}:"
        self._keys = [k + "queue", k + "leases", k + "owners", k + "seen", k + "done", k + "results"]
        self._take: Any = redis.register_script(_TAKE)
        self._done: Any = redis.register_script(_DONE)
        self._give_back: Any = redis.register_script(_GIVE_BACK)
        self._add: Any = redis.register_script(_ADD)
        self._acquire: Any = redis.register_script(_ACQUIRE)

    @classmethod
    async def connect(cls, url: str, **kwargs: Any) -> RedisFrontier:
        redis: Redis = Redis.from_url(url, decode_responses=True)
        await redis.ping()
        return cls(redis, **kwargs)

    @property
    def results_key(self) -> str:
        return self._keys[5]

    async def add(self, items: Iterable[tuple[str, int]]) -> int:
        args: list[str] = []
        for url, depth in items:
            args += [url, _encode(url, depth)]
        if not args:
            return 0
        return int(await self._add(keys=[self._keys[3], self._keys[0]], args=args))

    async def take(self) -> Item | None:
        while True:
            self._counter += 1
            token = f"{self._owner}:{self._counter}"
            item, leased = await self._take(keys=self._keys, args=[token, self.lease_ms])
            if item:
                url, depth = json.loads(item)
                return Item(url, int(depth), f"{token}\n{item}")
            if not int(leased):
                return None  # nothing queued and nothing leased by anyone: the crawl is over
            await asyncio.sleep(self.poll)  # others hold leases: their links may still come

    async def done(self, item: Item, result: dict[str, Any], links: Iterable[tuple[str, int]]) -> bool:
        token, raw = item.token.split("\n", 1)
        args: list[Any] = [raw, token, item.url, json.dumps(result, ensure_ascii=False, separators=(",", ":"))]
        for url, depth in links:
            args += [url, _encode(url, depth)]
        return int(await self._done(keys=self._keys, args=args)) >= 0

    async def give_back(self, item: Item) -> None:
        token, raw = item.token.split("\n", 1)
        await self._give_back(keys=self._keys[:3], args=[raw, token])

    async def acquire(self, host: str, gap: float) -> float:
        """Try to take ``host``'s next start: 0 when taken (the next one is ``gap`` seconds
        later, for every process), else the seconds to wait before trying again."""
        wait_ms = await self._acquire(keys=[f"{self.name}:next:{host}"], args=[int(gap * 1000)])
        return int(wait_ms) / 1000.0

    async def wait_turn(self, host: str, gap: float) -> None:
        """Wait until this process may start a request to ``host``."""
        while (wait := await self.acquire(host, gap)) > 0:
            await asyncio.sleep(wait)

    async def counts(self) -> tuple[int, int, int]:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.scard(self._keys[4])
            pipe.llen(self._keys[0])
            pipe.zcard(self._keys[1])
            done, queued, leased = await pipe.execute()
        return int(done), int(queued), int(leased)

    async def results(self) -> list[dict[str, Any]]:
        """Every result in the stream (for tests and small crawls)."""
        entries: Any = await self.redis.xrange(self.results_key)
        return [json.loads(fields["result"]) for _, fields in entries or ()]

    async def clear(self) -> None:
        keys = [k async for k in self.redis.scan_iter(match=f"{self.name}:*")]
        if keys:
            await self.redis.delete(*keys)

    async def close(self) -> None:
        await self.redis.aclose()


class SharedPoliteness:
    """A middleware spacing requests per host by ``delay`` (or ``1 / rate``) across every
    process sharing ``frontier`` (the reservation is in Redis)."""

    def __init__(self, frontier: RedisFrontier, delay: float = 0.0, rate: float | None = None) -> None:
        self.frontier = frontier
        self.gap = max(delay, 1.0 / rate if rate else 0.0)

    def __call__(self, req: ClientRequest, handler: ClientHandlerType) -> Awaitable[ClientResponse]:
        if not self.gap:
            return handler(req)
        return self._wait(req, handler)

    async def _wait(self, req: ClientRequest, handler: ClientHandlerType) -> ClientResponse:
        await self.frontier.wait_turn(host_key(req.url), self.gap)
        return await handler(req)
