"""PolitenessMiddleware + HostPolicy against real aiohttp.web peers (two hosts: two ports)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from yarl import URL

import cyhttp
from cyhttp import HostPolicy, PolitenessMiddleware
from cyhttp.crawl import host_key

from ._site import Recorder, serve


@pytest.fixture
async def two_hosts() -> AsyncIterator[tuple[Recorder, URL, Recorder, URL]]:
    a, b = Recorder(), Recorder()
    async with serve(a) as base_a, serve(b) as base_b:
        yield a, base_a, b, base_b


def gaps(times: list[float]) -> list[float]:
    times = sorted(times)
    return [y - x for x, y in zip(times, times[1:])]


async def _get_all(s: cyhttp.ClientSession, urls: list[URL]) -> list[int]:
    async def one(u: URL) -> int:
        async with s.get(u) as r:
            await r.read()
            return r.status

    return list(await asyncio.wait_for(asyncio.gather(*map(one, urls)), 20))


async def test_delay_spaces_concurrent_requests_per_host(two_hosts: tuple[Recorder, URL, Recorder, URL]) -> None:
    a, base_a, b, base_b = two_hosts
    polite = PolitenessMiddleware(HostPolicy(delay=0.1), {host_key(base_b): HostPolicy()})
    async with cyhttp.ClientSession(middlewares=[polite]) as s:
        statuses = await _get_all(s, [base_a / f"p{i}" for i in range(5)] + [base_b / f"p{i}" for i in range(5)])
    assert statuses == [200] * 10
    times = sorted(a.times())  # host a: one every 0.1 s (less the arrivals' own jitter)
    assert min(gaps(times)) >= 0.06 and times[-1] - times[0] >= 0.4 - 0.03
    assert max(b.times()) - min(b.times()) < 0.09  # host b overridden: no delay


async def test_rate_with_burst(two_hosts: tuple[Recorder, URL, Recorder, URL]) -> None:
    a, base_a, _, _ = two_hosts
    polite = PolitenessMiddleware(HostPolicy(rate=20, burst=4))
    async with cyhttp.ClientSession(middlewares=[polite]) as s:
        await _get_all(s, [base_a / f"p{i}" for i in range(8)])
    times = sorted(a.times())
    assert times[3] - times[0] < 0.08  # the burst goes at once
    assert times[7] - times[3] >= 0.17  # then 20/s: 4 more take 0.2 s


async def test_jitter_varies_the_delay(two_hosts: tuple[Recorder, URL, Recorder, URL]) -> None:
    a, base_a, _, _ = two_hosts
    polite = PolitenessMiddleware(HostPolicy(delay=0.05, jitter=0.5), rng=random.Random(7))
    # The schedule itself: each gap is the delay scaled by a factor in [0.5, 1.5].
    waits = [polite.reserve("schedule") for _ in range(50)]
    sched = [y - x for x, y in zip(waits, waits[1:])]
    assert all(0.025 - 1e-3 <= g <= 0.075 + 1e-3 for g in sched) and max(sched) - min(sched) > 0.02
    # And on the wire: 8 requests span at least 7 of the shortest gaps (arrival jitter aside).
    async with cyhttp.ClientSession(middlewares=[polite]) as s:
        await _get_all(s, [base_a / f"p{i}" for i in range(8)])
    times = sorted(a.times())
    assert times[-1] - times[0] >= 7 * 0.025 - 0.02


async def test_adaptive_backs_off_on_429_and_honours_retry_after(
        two_hosts: tuple[Recorder, URL, Recorder, URL]) -> None:
    a, base_a, _, _ = two_hosts

    async def limited(request: web.Request, n: int) -> web.Response:
        return web.Response(status=429, headers={"Retry-After": "1"}) if n == 1 else web.Response(text="ok")

    a.routes["/limited"] = limited
    polite = PolitenessMiddleware(adaptive=True)
    key = host_key(base_a)
    async with cyhttp.ClientSession(middlewares=[polite]) as s:
        async with s.get(base_a / "limited") as r:
            assert r.status == 429
        assert polite.delay_of(key) >= 0.25
        async with s.get(base_a / "limited") as r:
            assert r.status == 200
    t = a.times("/limited")
    assert t[1] - t[0] >= 0.95  # Retry-After: 1 held the host


async def test_adaptive_follows_latency(two_hosts: tuple[Recorder, URL, Recorder, URL]) -> None:
    a, base_a, _, _ = two_hosts

    async def slow(request: web.Request, n: int) -> web.Response:
        await asyncio.sleep(0.1)
        return web.Response(text="ok")

    a.routes["/slow"] = slow
    polite = PolitenessMiddleware(adaptive=True, target_concurrency=1.0)
    async with cyhttp.ClientSession(middlewares=[polite]) as s:
        for _ in range(4):
            async with s.get(base_a / "slow") as r:
                await r.read()
    delay = polite.delay_of(host_key(base_a))
    assert 0.08 <= delay <= 0.2  # halfway towards latency / 1, four times over


async def test_crawl_delay_from_robots(two_hosts: tuple[Recorder, URL, Recorder, URL]) -> None:
    a, base_a, _, _ = two_hosts

    async def robots(request: web.Request, n: int) -> web.Response:
        return web.Response(text="User-agent: *\nCrawl-delay: 0.15\n")

    a.routes["/robots.txt"] = robots
    polite = PolitenessMiddleware()
    rob = cyhttp.RobotsMiddleware("testbot", politeness=polite)
    async with cyhttp.ClientSession(middlewares=[rob, polite]) as s:
        await _get_all(s, [base_a / f"p{i}" for i in range(4)])
    assert polite.delay_of(host_key(base_a)) == pytest.approx(0.15)
    times = sorted(a.times("/p"))
    assert min(gaps(times)) >= 0.1 and times[-1] - times[0] >= 3 * 0.15 - 0.03


def test_host_key_and_policy_validation() -> None:
    assert host_key(URL("http://example.com/a")) == "example.com"
    assert host_key(URL("https://example.com:443/a")) == "example.com"
    assert host_key(URL("http://example.com:8080/a")) == "example.com:8080"
    assert host_key(URL("http://[::1]:8080/")) == "[::1]:8080"
    for bad in ({"rate": 0}, {"burst": 0}, {"delay": -1}, {"jitter": 2}):
        with pytest.raises(ValueError):
            HostPolicy(**bad)  # type: ignore[arg-type]


async def test_reserve_is_cheap_when_free() -> None:
    polite = PolitenessMiddleware(HostPolicy(rate=1000, burst=1000))
    assert all(polite.reserve("h") == 0 for _ in range(1000))
    assert polite.reserve("h") > 0
