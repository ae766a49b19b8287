"""Cookies, tracing, compression and auth through a real ClientSession (aiohttp.web peer)."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import brotli
import pytest
from aiohttp import web
from backports import zstd

import cyhttp
from cyhttp._client.cookiejar import CookieJar, DummyCookieJar
from cyhttp._client.tracing import (
    TraceConfig,
    TraceConnectionCreateEndParams,
    TraceConnectionCreateStartParams,
    TraceConnectionReuseconnParams,
    TraceRequestEndParams,
    TraceRequestExceptionParams,
    TraceRequestHeadersSentParams,
    TraceRequestRedirectParams,
    TraceRequestStartParams,
)

from ._peers import web_server

BODY = b"compressible body " * 5000
ENCODERS = {"gzip": gzip.compress, "deflate": zlib.compress, "br": brotli.compress,
            "zstd": zstd.compress}


def make_app() -> web.Application:
    app = web.Application()

    async def set_cookie(request: web.Request) -> web.Response:
        resp = web.Response(text="set")
        resp.headers.add("Set-Cookie", "sid=abc; Path=/; HttpOnly")
        resp.headers.add("Set-Cookie", "sec=1; Path=/; Secure")
        resp.headers.add("Set-Cookie", "novalue")
        resp.headers.add("Set-Cookie", "scoped=2; Path=/only")
        return resp

    async def show(request: web.Request) -> web.Response:
        return web.json_response(dict(request.cookies))

    async def encoded(request: web.Request) -> web.Response:
        enc = request.match_info["enc"]
        return web.Response(body=ENCODERS[enc](BODY), headers={"Content-Encoding": enc})

    async def corrupt(request: web.Request) -> web.Response:
        return web.Response(body=b"\x00not gzip at all" * 10, headers={"Content-Encoding": "gzip"})

    async def headers(request: web.Request) -> web.Response:
        return web.json_response(dict(request.headers))

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound("/show")

    app.router.add_get("/set", set_cookie)
    app.router.add_get("/show", show)
    app.router.add_get("/only/show", show)
    app.router.add_get("/enc/{enc}", encoded)
    app.router.add_get("/corrupt", corrupt)
    app.router.add_get("/headers", headers)
    app.router.add_get("/redirect", redirect)
    return app


async def test_cookies_round_trip() -> None:
    async with web_server(make_app()) as base:
        jar = CookieJar(unsafe=True)  # the peer is an IP host
        async with cyhttp.ClientSession(cookie_jar=jar) as session:
            async with session.get(base / "set") as resp:
                assert resp.status == 200
            assert len(jar) == 3  # malformed one skipped, Secure one kept
            async with session.get(base / "show") as resp:
                assert await resp.json() == {"sid": "abc"}  # not Secure over http
            async with session.get(base / "only" / "show") as resp:
                assert await resp.json() == {"sid": "abc", "scoped": "2"}


async def test_default_jar_refuses_ip_hosts_and_session_cookies_sent() -> None:
    async with web_server(make_app()) as base:
        async with cyhttp.ClientSession(cookies={"given": "v"}) as session:
            async with session.get(base / "set"):
                pass
            async with session.get(base / "show") as resp:
                assert await resp.json() == {"given": "v"}


async def test_dummy_jar_keeps_nothing() -> None:
    async with web_server(make_app()) as base:
        async with cyhttp.ClientSession(cookie_jar=DummyCookieJar()) as session:
            async with session.get(base / "set"):
                pass
            async with session.get(base / "show") as resp:
                assert await resp.json() == {}


@pytest.mark.parametrize("enc", sorted(ENCODERS))
async def test_compressed_responses_decoded(enc: str) -> None:
    async with web_server(make_app()) as base:
        async with cyhttp.ClientSession() as session:
            async with session.get(base / "enc" / enc) as resp:
                assert await resp.read() == BODY


async def test_accept_encoding_sent() -> None:
    async with web_server(make_app()) as base:
        async with cyhttp.ClientSession() as session:
            async with session.get(base / "headers") as resp:
                assert (await resp.json())["Accept-Encoding"] == "gzip, deflate, br, zstd"


async def test_corrupt_body_is_payload_error() -> None:
    async with web_server(make_app()) as base:
        async with cyhttp.ClientSession() as session:
            async with session.get(base / "corrupt") as resp:
                with pytest.raises(cyhttp.ClientPayloadError):
                    await resp.read()


async def test_basic_auth_header_sent() -> None:
    async with web_server(make_app()) as base:
        auth = cyhttp.BasicAuth("user", "pa:ss")
        async with cyhttp.ClientSession(auth=auth) as session:
            async with session.get(base / "headers") as resp:
                assert (await resp.json())["Authorization"] == auth.encode()


async def test_trace_signals_through_session() -> None:
    events: list[tuple[str, Any]] = []
    config = TraceConfig()

    def record(name: str) -> Any:
        async def receiver(session: Any, ctx: Any, params: Any) -> None:
            assert ctx.trace_request_ctx == {"tag": 1}
            events.append((name, params))
        return receiver

    for name in ("on_request_start", "on_request_headers_sent", "on_connection_create_start",
                 "on_connection_create_end", "on_connection_reuseconn", "on_request_end",
                 "on_request_redirect", "on_request_exception"):
        getattr(config, name).append(record(name))
    async with web_server(make_app()) as base:
        async with cyhttp.ClientSession(trace_configs=[config]) as session:
            async with session.get(base / "show", trace_request_ctx={"tag": 1}) as resp:
                await resp.read()
            first = [n for n, _ in events]
            assert first[0] == "on_request_start" and first[-1] == "on_request_end"
            assert "on_connection_create_start" in first and "on_request_headers_sent" in first
            kinds = dict((n, type(p)) for n, p in events)
            assert kinds["on_request_start"] is TraceRequestStartParams
            assert kinds["on_request_headers_sent"] is TraceRequestHeadersSentParams
            assert kinds["on_connection_create_start"] is TraceConnectionCreateStartParams
            assert kinds["on_connection_create_end"] is TraceConnectionCreateEndParams
            end = dict(events)["on_request_end"]
            assert isinstance(end, TraceRequestEndParams) and end.response.status == 200
            assert end.method == "GET" and end.url == base / "show"
            events.clear()
            async with session.get(base / "redirect", trace_request_ctx={"tag": 1}) as resp:
                await resp.read()
            kinds = dict((n, type(p)) for n, p in events)
            assert kinds["on_connection_reuseconn"] is TraceConnectionReuseconnParams
            assert kinds["on_request_redirect"] is TraceRequestRedirectParams
            events.clear()
            with pytest.raises(cyhttp.ClientConnectionError):
                await session.get("http://127.0.0.1:1/", trace_request_ctx={"tag": 1})
            assert type(events[-1][1]) is TraceRequestExceptionParams
