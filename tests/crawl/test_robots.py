"""RobotsMiddleware (RFC 9309) against a real aiohttp.web peer serving robots.txt."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from yarl import URL

import cyhttp
from cyhttp import RobotsDisallowed, RobotsMiddleware

from ._site import Recorder, serve

ROBOTS = """\
User-agent: otherbot
Disallow: /

User-agent: testbot
Disallow: /private
Allow: /private/open
"""


def robots_route(text: str = ROBOTS, status: int = 200, delay: float = 0.0):  # type: ignore[no-untyped-def]
    async def robots(request: web.Request, n: int) -> web.Response:
        if delay:
            await asyncio.sleep(delay)
        return web.Response(status=status, text=text)

    return robots


@pytest.fixture
async def site() -> AsyncIterator[tuple[Recorder, URL]]:
    rec = Recorder()
    rec.routes["/robots.txt"] = robots_route()
    async with serve(rec) as base:
        yield rec, base


async def test_disallowed_raises_without_touching_the_url(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    robots = RobotsMiddleware("testbot")
    async with cyhttp.ClientSession(middlewares=[robots]) as s:
        async with s.get(base / "public") as r:
            assert r.status == 200
        with pytest.raises(RobotsDisallowed) as info:
            await s.get(base / "private" / "x")
        assert info.value.url.path == "/private/x" and isinstance(info.value, cyhttp.ClientError)
        async with s.get(base / "private" / "open") as r:
            assert r.status == 200
    assert rec.count("/private/x") == 0
    assert rec.count("/robots.txt") == 1 and robots.fetches == 1


async def test_one_fetch_for_many_concurrent_requests(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    rec.routes["/robots.txt"] = robots_route(delay=0.1)
    robots = RobotsMiddleware("testbot")
    async with cyhttp.ClientSession(middlewares=[robots]) as s:
        async def one(i: int) -> int:
            async with s.get(base / f"p{i}") as r:
                return r.status

        assert await asyncio.wait_for(asyncio.gather(*map(one, range(20))), 10) == [200] * 20
    assert rec.count("/robots.txt") == 1


async def test_4xx_allows_everything(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    rec.routes["/robots.txt"] = robots_route(status=404)
    async with cyhttp.ClientSession(middlewares=[RobotsMiddleware("testbot")]) as s:
        async with s.get(base / "private") as r:
            assert r.status == 200


async def test_5xx_disallows_for_a_while_then_asks_again(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    rec.routes["/robots.txt"] = robots_route(status=503)
    robots = RobotsMiddleware("testbot", error_ttl=0.3)
    async with cyhttp.ClientSession(middlewares=[robots]) as s:
        with pytest.raises(RobotsDisallowed):
            await s.get(base / "public")
        with pytest.raises(RobotsDisallowed):
            await s.get(base / "public")
        assert rec.count("/robots.txt") == 1
        rec.routes["/robots.txt"] = robots_route()
        await asyncio.sleep(0.35)
        async with s.get(base / "public") as r:
            assert r.status == 200
    assert rec.count("/robots.txt") == 2 and rec.count("/public") == 1


async def test_unreachable_host_is_disallowed() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    async with cyhttp.ClientSession(middlewares=[RobotsMiddleware("testbot")]) as s:
        with pytest.raises(RobotsDisallowed):
            await s.get(f"http://127.0.0.1:{port}/x")


async def test_5xx_keeps_an_expired_copy(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    robots = RobotsMiddleware("testbot", ttl=0.1, error_ttl=10)
    async with cyhttp.ClientSession(middlewares=[robots]) as s:
        async with s.get(base / "public") as r:
            assert r.status == 200
        rec.routes["/robots.txt"] = robots_route(status=500)
        await asyncio.sleep(0.15)
        async with s.get(base / "public") as r:  # the old rules still say yes
            assert r.status == 200
        with pytest.raises(RobotsDisallowed):
            await s.get(base / "private")
    assert rec.count("/robots.txt") == 2


async def test_ttl_expiry_refetches(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    robots = RobotsMiddleware("testbot", ttl=0.1)
    async with cyhttp.ClientSession(middlewares=[robots]) as s:
        await (await s.get(base / "a")).read()
        rec.routes["/robots.txt"] = robots_route("User-agent: *\nDisallow: /a\n")
        await asyncio.sleep(0.15)
        with pytest.raises(RobotsDisallowed):
            await s.get(base / "a")


async def test_size_bound_ignores_what_follows(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    big = "User-agent: *\nDisallow: /early\n" + "# filler\n" * 2000 + "Disallow: /late\n"
    rec.routes["/robots.txt"] = robots_route(big)
    async with cyhttp.ClientSession(middlewares=[RobotsMiddleware("testbot", max_size=4096)]) as s:
        with pytest.raises(RobotsDisallowed):
            await s.get(base / "early")
        async with s.get(base / "late") as r:
            assert r.status == 200


async def test_redirected_robots_is_followed(site: tuple[Recorder, URL]) -> None:
    rec, base = site

    async def moved(request: web.Request, n: int) -> web.Response:
        raise web.HTTPMovedPermanently("/real-robots.txt")

    rec.routes["/robots.txt"] = moved
    rec.routes["/real-robots.txt"] = robots_route("User-agent: *\nDisallow: /x\n")
    async with cyhttp.ClientSession(middlewares=[RobotsMiddleware("testbot")]) as s:
        with pytest.raises(RobotsDisallowed):
            await s.get(base / "x")


async def test_a_redirect_into_a_disallowed_path_is_stopped(site: tuple[Recorder, URL]) -> None:
    rec, base = site

    async def jump(request: web.Request, n: int) -> web.Response:
        raise web.HTTPFound("/private/secret")

    rec.routes["/jump"] = jump
    async with cyhttp.ClientSession(middlewares=[RobotsMiddleware("testbot")]) as s:
        with pytest.raises(RobotsDisallowed):
            await s.get(base / "jump")
    assert rec.count("/private/secret") == 0


async def test_allowed_helper_and_lru_bound(site: tuple[Recorder, URL]) -> None:
    rec, base = site
    robots = RobotsMiddleware("testbot", max_entries=1)
    async with cyhttp.ClientSession() as s:
        assert await robots.allowed(base / "public", s)
        assert not await robots.allowed(base / "private", s)
        assert await robots.allowed(base / "robots.txt", s)
    assert len(robots._cache) == 1
