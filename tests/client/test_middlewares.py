"""Client middlewares (``middlewares=`` on the session and per request) against a real peer.

Every scenario runs through cyhttp AND aiohttp 3.14 (the reference) and must record the
same story: which middleware ran, in what order, for which URL, and what the peer saw.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

import cyhttp

from ._compat_peers import hello_ws_app
from ._peers import web_server

LIBS = pytest.mark.parametrize("lib", [cyhttp, aiohttp], ids=["cyhttp", "aiohttp"])
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Peer:
    """Counts hits per path; /flaky answers 503 until its counter reaches ?ok=N."""

    def __init__(self) -> None:
        self.hits: list[tuple[str, str | None]] = []
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits.append((path, request.headers.get("X-Mw")))
        if path.startswith("/redirect/"):
            n = int(path.rsplit("/", 1)[1])
            raise web.HTTPFound(f"/redirect/{n - 1}" if n > 1 else "/echo")
        if path == "/flaky":
            tries = sum(1 for p, _ in self.hits if p == "/flaky")
            if tries < int(request.query.get("ok", "3")):
                return web.Response(status=503, text="busy")
        if path == "/token" and request.headers.get("Authorization") != "Bearer good":
            return web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        return web.json_response({"path": path, "x-mw": request.headers.get("X-Mw"),
                                  "method": request.method})


@pytest.fixture
async def peer() -> AsyncIterator[tuple[Peer, URL]]:
    p = Peer()
    async with web_server(p.app) as base:
        yield p, base


def recorder(log: list[Any], name: str) -> Any:
    async def middleware(req: Any, handler: Any) -> Any:
        log.append((name, "in", req.url.path))
        resp = await handler(req)
        log.append((name, "out", resp.status))
        return resp

    return middleware


async def _run(lib: Any, base: URL, path: str, session_mws: Any = (), **kwargs: Any) -> tuple[int, Any]:
    async with lib.ClientSession(middlewares=session_mws) as s:
        async with s.get(base.join(URL(path)), **kwargs) as r:
            body = await r.json() if r.status == 200 else await r.text()
            return r.status, body


@LIBS
async def test_chain_order_and_every_redirect_hop(lib: Any, peer: tuple[Peer, URL]) -> None:
    log: list[Any] = []
    status, body = await _run(lib, peer[1], "/redirect/2", [recorder(log, "a"), recorder(log, "b")])
    assert status == 200 and body["path"] == "/echo"
    hop = lambda path, status: [("a", "in", path), ("b", "in", path), ("b", "out", status),  # noqa: E731
                                ("a", "out", status)]
    assert log == hop("/redirect/2", 302) + hop("/redirect/1", 302) + hop("/echo", 200)


@LIBS
async def test_middleware_changes_headers_on_every_hop(lib: Any, peer: tuple[Peer, URL]) -> None:
    async def add_header(req: Any, handler: Any) -> Any:
        req.headers["X-Mw"] = "yes"
        return await handler(req)

    status, body = await _run(lib, peer[1], "/redirect/1", [add_header])
    assert (status, body["x-mw"]) == (200, "yes")
    assert peer[0].hits == [("/redirect/1", "yes"), ("/echo", "yes")]


@LIBS
async def test_middleware_retries_by_calling_handler_again(lib: Any, peer: tuple[Peer, URL]) -> None:
    attempts: list[int] = []

    async def retry(req: Any, handler: Any) -> Any:
        for _ in range(5):  # bounded
            resp = await handler(req)
            attempts.append(resp.status)
            if resp.status != 503:
                return resp
            resp.release()
        return resp

    status, body = await _run(lib, peer[1], "/flaky?ok=3", [retry])
    assert (status, body["path"]) == (200, "/flaky")
    assert attempts == [503, 503, 200]
    assert [p for p, _ in peer[0].hits] == ["/flaky"] * 3


@LIBS
async def test_per_request_middlewares_override_the_sessions(lib: Any, peer: tuple[Peer, URL]) -> None:
    log: list[Any] = []
    session_mw, request_mw = recorder(log, "session"), recorder(log, "request")
    await _run(lib, peer[1], "/echo", [session_mw], middlewares=[request_mw])
    assert [entry[0] for entry in log] == ["request", "request"]
    log.clear()
    await _run(lib, peer[1], "/echo", [session_mw], middlewares=())
    assert log == []
    await _run(lib, peer[1], "/echo", [session_mw])
    assert [entry[0] for entry in log] == ["session", "session"]


@LIBS
async def test_auth_refresh_middleware(lib: Any, peer: tuple[Peer, URL]) -> None:
    """The documented pattern: on 401, set a fresh token and send the request again."""

    async def bearer(req: Any, handler: Any) -> Any:
        req.headers["Authorization"] = "Bearer stale"
        resp = await handler(req)
        if resp.status == 401:
            resp.release()
            req.headers["Authorization"] = "Bearer good"
            resp = await handler(req)
        return resp

    status, body = await _run(lib, peer[1], "/token", [bearer])
    assert (status, body["path"]) == (200, "/token")
    assert [p for p, _ in peer[0].hits] == ["/token", "/token"]


@LIBS
async def test_middleware_sees_a_client_request_and_may_answer_itself(lib: Any, peer: tuple[Peer, URL]) -> None:
    seen: list[Any] = []

    async def inspect_only(req: Any, handler: Any) -> Any:
        seen.append((type(req) is lib.ClientRequest, req.method, str(req.url)))
        return await handler(req)

    class Stop(Exception):
        pass

    async def refuse(req: Any, handler: Any) -> Any:
        raise Stop(str(req.url))

    await _run(lib, peer[1], "/echo?q=1", [inspect_only])
    assert seen == [(True, "GET", str(peer[1].with_path("/echo").with_query(q=1)))]
    with pytest.raises(Stop):
        await _run(lib, peer[1], "/echo", [refuse])
    assert [p for p, _ in peer[0].hits] == ["/echo"]  # the refused request never left


@LIBS
async def test_middleware_wraps_the_websocket_handshake(lib: Any) -> None:
    seen: list[str | None] = []
    app = hello_ws_app(seen)

    async def add_header(req: Any, handler: Any) -> Any:
        req.headers["X-Mw"] = "ws"
        return await handler(req)

    async with web_server(app) as base, lib.ClientSession(middlewares=[add_header]) as s:
        async with s.ws_connect(base.with_path("/ws")) as ws:
            msg = await ws.receive(timeout=10)
            assert msg.data == "hi"
    assert seen == ["ws"]


async def test_errors_from_the_handler_pass_through_the_chain() -> None:
    """A connection error reaches the middleware as aiohttp's exception type."""
    caught: list[type[BaseException]] = []

    async def watch(req: Any, handler: Any) -> Any:
        try:
            return await handler(req)
        except Exception as exc:
            caught.append(type(exc))
            raise

    async with cyhttp.ClientSession(middlewares=[watch]) as s:
        with pytest.raises(cyhttp.ClientConnectorError):
            await s.get("http://127.0.0.1:1/")
    assert caught and issubclass(caught[0], cyhttp.ClientConnectorError)


def test_build_chain_runs_first_middleware_outermost() -> None:
    import asyncio

    from cyhttp._client.middlewares import build_client_middlewares

    log: list[str] = []

    def mw(name: str) -> Any:
        async def middleware(req: Any, handler: Any) -> Any:
            log.append(name)
            return await handler(req)

        return middleware

    async def handler(req: Any) -> Any:
        log.append("handler")
        return req

    chain = build_client_middlewares(handler, [mw("1"), mw("2"), mw("3")])
    assert asyncio.run(chain("req")) == "req"
    assert log == ["1", "2", "3", "handler"]
    assert build_client_middlewares(handler, []) is handler


@LIBS
async def test_stale_connection_retry_runs_the_chain_again(lib: Any) -> None:
    """The session's own retry on a reused, silently closed connection re-enters the chain."""
    import asyncio

    from ._peers import raw_server, read_head

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await read_head(reader)  # the next request on this connection: closed unanswered

    log: list[Any] = []

    async def watch(req: Any, handler: Any) -> Any:
        log.append(("in", req.url.path))
        try:
            resp = await handler(req)
        except Exception as exc:
            log.append(("raised", type(exc).__name__))
            raise
        log.append(("out", resp.status))
        return resp

    async with raw_server(answer_once) as srv:
        async with lib.ClientSession(middlewares=[watch]) as session:
            for path in ("/a", "/b"):
                async with session.get(srv.url / path[1:]) as resp:
                    assert await resp.read() == b"ok"
        assert srv.accepted == 2
    assert log == [("in", "/a"), ("out", 200), ("in", "/b"), ("raised", "ServerDisconnectedError"),
                   ("in", "/b"), ("out", 200)]
