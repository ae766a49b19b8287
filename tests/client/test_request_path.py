"""The one request path: every request shape sends the bytes ``ClientRequest`` itself would.

Each test warms the pool with one request (a new connection), then checks what the
following ones do on the pooled connection, written from the session's cached plan:
the head on the wire, redirects, cookies, a stale connection, the total timeout,
raise_for_status, a broken head.  Where the comparison matters each runs twice, once
with a pass-through middleware (the same path with a ``ClientRequest`` handed through
the chain), and the two must agree byte for byte.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web
from hypothesis import example, given, settings
from hypothesis import strategies as st

import cyhttp

from ._peers import raw_server, read_head, web_server

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


async def _passthrough(req: Any, handler: Any) -> Any:
    return await handler(req)


def _recorder(heads: list[bytes], answers: dict[bytes, bytes] | None = None):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(20):
            head = await read_head(reader)
            heads.append(head)
            method, target, _ = head.split(b" ", 2)
            answer = (answers or {}).get(target, OK)
            writer.write(answer[: answer.index(b"\r\n\r\n") + 4] if method == b"HEAD" else answer)
            await writer.drain()

    return handler


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "DELETE"])
async def test_head_is_the_same_with_and_without_a_middleware(method: str) -> None:
    kwargs: dict[str, Any] = {"headers": {"User-Agent": "crawler/1"}, "skip_auto_headers": ["Accept"]}
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv:
        for extra in ({}, {"middlewares": (_passthrough,)}):
            async with cyhttp.ClientSession(**kwargs, **extra) as session:
                for path in ("/a?q=1", "/a?q=1", "/b#frag", "/a?q=1"):
                    async with session.request(method, str(srv.url) + path) as resp:
                        assert resp.status == 200
                        if method != "HEAD":
                            assert await resp.read() == b"ok"
        assert srv.accepted == 2
    plain, chained = heads[:4], heads[4:]
    assert plain == chained
    assert plain[1].startswith(f"{method} /a?q=1 HTTP/1.1\r\n".encode())
    assert b"User-Agent: crawler/1\r\n" in plain[1] and b"Accept:" not in plain[1]


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_jar_cookies_with_and_without_a_middleware(method: str) -> None:
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv:
        for extra in ({}, {"middlewares": (_passthrough,)}):
            jar = cyhttp.CookieJar(unsafe=True)
            jar.update_cookies({"a": "1", "b": "two words", "c": "x;y"}, srv.url)
            jar.update_cookies({"other": "no"}, srv.url.with_host("localhost"))
            async with cyhttp.ClientSession(cookie_jar=jar, headers={"User-Agent": "c/1"}, **extra) as session:
                for path in ("/a", "/a", "/b"):
                    async with session.request(method, srv.url / path[1:]) as resp:
                        assert await resp.read() == b"ok"
                        assert resp.request_info.headers["Cookie"] == 'a=1; b="two words"; c="x\\073y"'
    assert len(heads) == 6 and heads[:3] == heads[3:]
    if method == "GET":
        assert heads[1].endswith(b'Cookie: a=1; b="two words"; c="x\\073y"\r\n\r\n')


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text("abcXYZ_-!#0123", min_size=1, max_size=6),
                       st.text(st.characters(min_codepoint=0x20, max_codepoint=0x17F), max_size=12),
                       max_size=5))
@example({"0": '" '})  # a value ending in a space: the whole output is stripped
def test_cookie_header_shortcut_is_simplecookies_output(pairs: dict[str, str]) -> None:
    """The jar's morsels joined directly give exactly what a SimpleCookie round trip gives."""
    from http.cookies import BaseCookie, SimpleCookie

    from cyhttp._client.wire import cookie_header
    from cyhttp._http.cookie_parse import make_morsel

    jar = cyhttp.CookieJar(unsafe=True)
    filtered: BaseCookie[str] = BaseCookie()
    for name, value in pairs.items():
        morsel = jar._to_send(make_morsel(name, value, value))
        dict.__setitem__(filtered, name, morsel)
    reference: SimpleCookie = SimpleCookie()
    for name, morsel in filtered.items():
        dict.__setitem__(reference, name, morsel)
    assert cookie_header(filtered) == reference.output(header="", sep=";").strip()


async def test_set_cookie_reaches_the_jar_and_the_next_request() -> None:
    heads: list[bytes] = []
    answers = {b"/login": b"HTTP/1.1 200 OK\r\nSet-Cookie: sid=7; Path=/\r\nContent-Length: 2\r\n\r\nok"}
    async with raw_server(_recorder(heads, answers)) as srv, \
            cyhttp.ClientSession(cookie_jar=cyhttp.CookieJar(unsafe=True)) as session:
        for path in ("warm", "login", "next"):
            async with session.get(srv.url / path) as resp:
                assert await resp.read() == b"ok"
        assert [(c.key, c.value) for c in session.cookie_jar] == [("sid", "7")]
    assert b"Cookie:" not in heads[1] and heads[2].endswith(b"Cookie: sid=7\r\n\r\n")


async def test_request_headers_and_params_with_and_without_a_middleware() -> None:
    from multidict import CIMultiDict

    options: list[dict[str, Any]] = [
        {"headers": {"X-Token": "a"}},
        {"headers": {"X-Token": "b"}},  # another value: another plan, another head
        {"headers": CIMultiDict([("X-Dup", "1"), ("X-Dup", "2")])},
        {"headers": [("Accept", "text/html"), ("User-Agent", "mine")]},
        {"headers": {"Host": "example.test"}},
        {"params": {"q": "a b", "n": "1"}},
        {"params": [("k", "1"), ("k", "2")]},
        {"params": "raw=1&x"},
        {"params": {"q": "1"}, "headers": {"X-Token": "a"}, "timeout": 5},
        {},
    ]
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv:
        urls: list[list[str]] = []
        for extra in ({}, {"middlewares": (_passthrough,)}):
            seen: list[str] = []
            async with cyhttp.ClientSession(headers={"User-Agent": "session/1"}, **extra) as session:
                for opts in options * 2:  # the second time round, every plan is cached
                    async with session.get(srv.url / "p", **opts) as resp:
                        assert await resp.read() == b"ok"
                        seen.append(str(resp.url))
            urls.append(seen)
        assert urls[0] == urls[1]
        assert srv.accepted == 2
    n = len(options) * 2
    assert heads[:n] == heads[n:]
    assert heads[0] != heads[1] and heads[0] == heads[len(options)]
    assert heads[5].startswith(b"GET /p?q=a+b&n=1 HTTP/1.1\r\n")


async def test_base_url_sessions_plan_the_urls_as_given() -> None:
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv, cyhttp.ClientSession(base_url=srv.url / "api/") as session:
        for path in ("items", "items", "/root", "items?x=1"):
            async with session.get(path) as resp:
                assert await resp.read() == b"ok"
                assert resp.url.path in ("/api/items", "/root")
        assert set(session._path.plans.for_method("GET")) == {"items", "/root", "items?x=1"}
    assert [h.split(b" ")[1] for h in heads] == [b"/api/items", b"/api/items", b"/root", b"/api/items?x=1"]


async def test_bad_timeout_value_leaves_the_pool_intact() -> None:
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv, cyhttp.ClientSession() as session:
        await (await session.get(srv.url / "a")).read()
        with pytest.raises(TypeError):
            await session.get(srv.url / "a", timeout="soon")
        async with session.get(srv.url / "a") as resp:  # the idle connection is still there
            assert await resp.read() == b"ok"
        assert srv.accepted == 1


async def test_plans_are_bounded() -> None:
    from cyhttp._client.plan import PLANS_MAX as _PLANS_MAX

    heads: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            heads.append(await read_head(reader))
            writer.write(OK)
            await writer.drain()

    async with raw_server(handler) as srv, cyhttp.ClientSession() as session:
        for i in range(_PLANS_MAX + 1):
            async with session.get(srv.url / f"p{i}") as resp:
                assert await resp.read() == b"ok"
            if i == _PLANS_MAX - 1:
                assert len(session._path.plans.for_method("GET")) == _PLANS_MAX  # just under: all remembered
        assert len(session._path.plans.for_method("GET")) == 1  # just over: forgotten at once, then refilled
    assert heads[-1].startswith(b"GET /p%d HTTP/1.1" % _PLANS_MAX)


async def test_unhashable_options_are_not_remembered() -> None:
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv, cyhttp.ClientSession() as session:
        for _ in range(2):
            async with session.get(srv.url / "p", params={"k": ["1", "2"]}) as resp:  # list value
                assert await resp.read() == b"ok"
        assert not session._path.plans.for_method("GET")
    assert all(h.startswith(b"GET /p?k=1&k=2 HTTP/1.1\r\n") for h in heads)


async def test_session_headers_edited_later_reach_the_wire() -> None:
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv, cyhttp.ClientSession(headers={"X-A": "1"}) as session:
        for value in ("1", "1", "2", "2"):
            if value == "2":
                session.headers["X-A"] = "2"  # aiohttp's session.headers is mutable too
            async with session.get(srv.url / "a") as resp:
                await resp.read()
        session.headers.update({"User-Agent": "crawler/2"})
        async with session.get(srv.url / "a") as resp:
            await resp.read()
    x_a = [next(line for line in h.split(b"\r\n") if line.startswith(b"X-A:")) for h in heads]
    assert x_a == [b"X-A: 1", b"X-A: 1", b"X-A: 2", b"X-A: 2", b"X-A: 2"]
    assert b"User-Agent: crawler/2\r\n" in heads[-1] and b"User-Agent: crawler/2" not in heads[-2]


async def test_a_plan_per_url_and_options() -> None:
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv:
        for extra in ({}, {"middlewares": (_passthrough,)}):
            async with cyhttp.ClientSession(**extra) as session:
                for _ in range(3):
                    async with session.get(srv.url / "x") as resp:
                        await resp.read()
                async with session.get(srv.url / "y", skip_auto_headers=["Accept"]) as resp:
                    await resp.read()
                async with session.get(srv.url / "x", timeout=5, allow_redirects=False) as resp:  # same plan
                    await resp.read()
                assert list(session._path.plans.for_method("GET")) == [
                    srv.url / "x", (srv.url / "y", (("skip_auto_headers", frozenset({"Accept"})),))]
    assert heads[:5] == heads[5:]
    assert b"Accept:" not in heads[3] and b"Accept: */*\r\n" in heads[0]


async def test_response_fields_on_a_pooled_connection() -> None:
    heads: list[bytes] = []
    answers = {b"/r": b"HTTP/1.1 201 Made\r\nContent-Length: 3\r\nX-A: 1\r\nX-A: 2\r\n\r\nabc"}
    async with raw_server(_recorder(heads, answers)) as srv, cyhttp.ClientSession() as session:
        await (await session.get(srv.url / "warm")).read()
        url = str(srv.url / "r") + "#top"
        async with session.get(url) as resp:
            assert (resp.status, resp.reason, await resp.read()) == (201, "Made", b"abc")
            assert resp.headers.getall("X-A") == ["1", "2"]
            assert str(resp.url) == str(srv.url / "r") and str(resp.real_url) == url
            assert resp.request_info.method == "GET" and resp.request_info.headers["Host"] == srv.url.raw_authority
            assert resp.history == ()
        assert srv.accepted == 1


async def test_redirect_and_cookies_on_a_pooled_connection() -> None:
    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/final")

    async def final(request: web.Request) -> web.Response:
        return web.Response(text=request.cookies.get("sid", "none"))

    async def login(request: web.Request) -> web.Response:
        resp = web.Response(text="in")
        resp.set_cookie("sid", "42")
        return resp

    app = web.Application()
    app.router.add_get("/r", redirect)
    app.router.add_get("/final", final)
    app.router.add_get("/login", login)
    jar = cyhttp.CookieJar(unsafe=True)  # the server is an IP address
    async with web_server(app) as base, cyhttp.ClientSession(cookie_jar=jar) as session:
        assert await (await session.get(base / "final")).text() == "none"  # warms the pool
        async with session.get(base / "r") as resp:
            assert resp.status == 200 and str(resp.url) == str(base / "final")
            assert [h.status for h in resp.history] == [302]
            assert str(resp.history[0].url) == str(base / "r")
        async with session.get(base / "r", allow_redirects=False) as resp:
            assert resp.status == 302
        async with session.head(base / "r") as resp:  # HEAD does not follow by default
            assert resp.status == 302
        async with session.get(base / "login") as resp:
            assert await resp.text() == "in"
        assert {c.key: c.value for c in session.cookie_jar} == {"sid": "42"}
        async with session.get(base / "r") as resp:  # the jar has a cookie now: both hops send it
            assert await resp.text() == "42"


async def test_too_many_redirects_counts_the_first_hop() -> None:
    async def loop_(request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    async def ok(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/loop", loop_)
    app.router.add_get("/ok", ok)
    async with web_server(app) as base, cyhttp.ClientSession() as session:
        await (await session.get(base / "ok")).read()
        with pytest.raises(cyhttp.TooManyRedirects) as info:
            await session.get(base / "loop")
        assert len(info.value.history) == 10


async def test_stale_connection_is_retried_once() -> None:
    conns = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal conns
        conns += 1
        await read_head(reader)
        writer.write(OK)
        await writer.drain()
        if conns == 1:
            await read_head(reader)  # the reused connection: close instead of answering
            return
        await reader.read()

    async with raw_server(handler) as srv, cyhttp.ClientSession() as session:
        await (await session.get(srv.url / "a")).read()
        async with session.get(srv.url / "a") as resp:
            assert await resp.read() == b"ok"
        assert srv.accepted == 2


async def test_stale_then_failing_fresh_connection_raises() -> None:
    conns = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal conns
        conns += 1
        if conns == 1:
            await read_head(reader)
            writer.write(OK)
            await writer.drain()
        await read_head(reader)  # then close without an answer, on every connection

    async with raw_server(handler) as srv, cyhttp.ClientSession() as session:
        await (await session.get(srv.url / "a")).read()
        with pytest.raises(cyhttp.ServerDisconnectedError):
            await session.get(srv.url / "a")
        assert srv.accepted == 2  # one retry, not more


def _stalls_on_second_request():
    """Answers the first request at once and sits on the second (then answers again)."""
    count = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal count
        while True:
            await read_head(reader)
            count += 1
            if count == 2:
                await asyncio.sleep(5)
            writer.write(OK)
            await writer.drain()

    return handler


async def test_total_timeout_on_a_pooled_connection() -> None:
    timeout = cyhttp.ClientTimeout(total=0.3)
    async with raw_server(_stalls_on_second_request()) as srv, cyhttp.ClientSession(timeout=timeout) as session:
        await (await session.get(srv.url / "a")).read()
        with pytest.raises(asyncio.TimeoutError):
            await session.get(srv.url / "a")
        assert not session._deadlines._buckets or all(not b for b in session._deadlines._buckets.values())


@pytest.mark.parametrize("timeout", [0.3, cyhttp.ClientTimeout(total=0.3), cyhttp.ClientTimeout(sock_read=0.3)])
async def test_per_request_timeout_on_a_pooled_connection(timeout: Any) -> None:
    async with raw_server(_stalls_on_second_request()) as srv, cyhttp.ClientSession() as session:
        await (await session.get(srv.url / "a", timeout=timeout)).read()
        assert list(session._path.plans.for_method("GET")) == [srv.url / "a"]  # timeout: not in the plan
        with pytest.raises(asyncio.TimeoutError):  # ServerTimeoutError for sock_read is one too
            await session.get(srv.url / "a", timeout=timeout)
        async with session.request("get", srv.url / "b", timeout=timeout, allow_redirects=False) as resp:
            assert await resp.read() == b"ok"


async def test_cancel_from_outside_stays_a_cancellation() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(OK)
        await writer.drain()
        await read_head(reader)
        await asyncio.sleep(5)

    async with raw_server(handler) as srv, cyhttp.ClientSession() as session:
        await (await session.get(srv.url / "a")).read()
        task = asyncio.ensure_future(session.get(srv.url / "a"))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


@pytest.mark.parametrize("kind", ["flag", "callable"])
async def test_raise_for_status_on_a_pooled_connection(kind: str) -> None:
    seen: list[int] = []

    async def check(resp: cyhttp.ClientResponse) -> None:
        seen.append(resp.status)
        resp.raise_for_status()

    answers = {b"/missing": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"}
    heads: list[bytes] = []
    rfs: Any = True if kind == "flag" else check
    async with raw_server(_recorder(heads, answers)) as srv, cyhttp.ClientSession(raise_for_status=rfs) as session:
        await (await session.get(srv.url / "a")).read()
        with pytest.raises(cyhttp.ClientResponseError) as info:
            await session.get(srv.url / "missing")
        assert info.value.status == 404
        async with session.get(srv.url / "a") as resp:  # the pool still works
            assert await resp.read() == b"ok"
    if kind == "callable":
        assert seen == [200, 404, 200]


async def test_broken_head_on_a_pooled_connection() -> None:
    answers = {b"/bad": b"HTTP/1.1 200 OK\r\nBad Header\r\n\r\n"}
    heads: list[bytes] = []
    async with raw_server(_recorder(heads, answers)) as srv, cyhttp.ClientSession() as session:
        await (await session.get(srv.url / "a")).read()
        with pytest.raises(cyhttp.ClientResponseError) as info:
            await session.get(srv.url / "bad")
        assert info.value.status == 400


async def test_closed_session_and_bad_urls_raise_aiohttps_errors() -> None:
    heads: list[bytes] = []
    async with raw_server(_recorder(heads)) as srv:
        session = cyhttp.ClientSession()
        await (await session.get(srv.url / "a")).read()
        with pytest.raises(cyhttp.InvalidUrlClientError):
            await session.get("http://")
        with pytest.raises(cyhttp.NonHttpUrlClientError):
            await session.get("ftp://127.0.0.1/x")
        with pytest.raises(TypeError):  # yarl's error, as in aiohttp
            await session.get(["not", "a", "url"])  # type: ignore[arg-type]
        await session.close()
        with pytest.raises(RuntimeError, match="Session is closed"):
            await session.get(srv.url / "a")
