"""The same app under aiohttp.web and cyhttp.web, side by side: the same raw requests get
the same status lines, the same headers (Date and Server aside) and the same bodies."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiohttp import web as aioweb

from cyhttp import web as cyweb

from ._serve import Raw, normalise_date, serve

LIBS = {"aiohttp": aioweb, "cyhttp": cyweb}


def build(web: Any) -> Any:
    routes = web.RouteTableDef()

    @routes.get("/")
    async def hello(request: Any) -> Any:
        return web.Response(text="Hello, World!")

    @routes.post("/json")
    async def echo(request: Any) -> Any:
        return web.json_response(await request.json())

    @routes.get("/users/{name}")
    async def user(request: Any) -> Any:
        return web.Response(text=request.match_info["name"], headers={"X-Custom": "1"})

    @routes.get(r"/n/{num:\d+}")
    async def num(request: Any) -> Any:
        return web.json_response({"num": int(request.match_info["num"])}, status=201)

    @routes.get("/redirect")
    async def redirect(request: Any) -> Any:
        raise web.HTTPFound(location="/target")

    @routes.get("/gone")
    async def gone(request: Any) -> Any:
        raise web.HTTPGone()

    @routes.get("/empty")
    async def empty(request: Any) -> Any:
        return web.Response(status=204)

    @routes.get("/notmod")
    async def notmod(request: Any) -> Any:
        raise web.HTTPNotModified()

    @routes.get("/cookie")
    async def cookie(request: Any) -> Any:
        resp = web.Response(text="c")
        resp.set_cookie("a", "1", max_age=10, httponly=True)
        resp.del_cookie("b")
        return resp

    @routes.get("/stream")
    async def stream(request: Any) -> Any:
        resp = web.StreamResponse(headers={"X-S": "y"})
        resp.content_type = "text/plain"
        await resp.prepare(request)
        await resp.write(b"ab")
        await resp.write(b"cd")
        return resp

    @routes.post("/form")
    async def form(request: Any) -> Any:
        data = await request.post()
        return web.json_response(sorted((k, v) for k, v in data.items()))

    @routes.get("/info")
    async def info(request: Any) -> Any:
        return web.json_response({
            "method": request.method, "path": request.path, "path_qs": request.path_qs,
            "raw_path": request.raw_path, "query": sorted(request.query.items()),
            "host": request.host, "scheme": request.scheme, "secure": request.secure,
            "keep_alive": request.keep_alive, "version": list(request.version),
            "content_type": request.content_type, "charset": request.charset,
            "content_length": request.content_length, "cookies": dict(request.cookies),
            "can_read_body": request.can_read_body, "body_exists": request.body_exists,
            "forwarded": [dict(f) for f in request.forwarded],
            "if_modified_since": str(request.if_modified_since),
            "url": str(request.url), "rel_url": str(request.rel_url),
        })

    class Thing(web.View):
        async def get(self) -> Any:
            return web.Response(text="view get")

        async def post(self) -> Any:
            return web.Response(text="view post")

    routes.view("/view")(Thing)
    app = web.Application()
    app.add_routes(routes)
    return app


REQUESTS = [
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /users/alice HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /users/al%20ice HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /n/42 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /n/x HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"DELETE /json HTTP/1.1\r\nHost: x\r\n\r\n",
    b"POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n[1, \"a\"]\n",
    b"GET /redirect HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /gone HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /notmod HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /cookie HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /view HTTP/1.1\r\nHost: x\r\n\r\n",
    b"PUT /view HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"POST /form HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 13\r\n\r\na=1&b=2&a=%20",
    b"GET /info?x=1&y=%20 HTTP/1.1\r\nHost: example.com:8080\r\nCookie: a=1; b=\"2\"\r\n"
    b"Forwarded: for=1.2.3.4;proto=https, for=\"[::1]\"\r\n"
    b"If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT\r\n\r\n",
    b"POST /info HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain; charset=latin-1\r\n"
    b"Content-Length: 3\r\n\r\nabc",
    b"GET /info HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
]


async def exchange(web: Any, request: bytes) -> bytes:
    """The bytes answering ``request`` and, on a kept-alive connection, one more request
    (so keep-alive and framing are checked too).  After a closing request nothing more is
    sent: aiohttp then answers only a 400 for the extra bytes, dropping the valid request
    (its parser fails the whole read); cyhttp answers the request and closes (RFC 9112
    §9.6), which is what a client waiting for the first answer needs."""
    closing = b"Connection: close" in request or b" HTTP/1.0\r\n" in request
    more = b"" if closing else b"GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    async with serve(build(web), lib=web) as url, await Raw.connect(url) as raw:
        await raw.send(request + more)
        return await raw.read_all()


@pytest.mark.parametrize("request_bytes", REQUESTS, ids=lambda r: r.split(b"\r\n")[0].decode())
async def test_same_bytes_as_aiohttp(request_bytes: bytes) -> None:
    theirs = normalise_date(await exchange(aioweb, request_bytes))
    ours = normalise_date(await exchange(cyweb, request_bytes))
    assert ours == theirs


MALFORMED = [
    b"GET / HTTP/1.1\r\nHost: x\r\nbad header\r\n\r\n",
    b"G\x01T / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 9000 + b"\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello on the plain port
]


@pytest.mark.parametrize("request_bytes", MALFORMED, ids=range(len(MALFORMED)))
async def test_malformed_gets_the_same_status_and_close(request_bytes: bytes) -> None:
    got = {}
    for name, web in LIBS.items():
        async with serve(build(web), lib=web) as url, await Raw.connect(url) as raw:
            await raw.send(request_bytes + b"\r\n\r\n")
            data = await asyncio.wait_for(raw.read_all(), 5)
            got[name] = data.split(b"\r\n", 1)[0]
    assert got["cyhttp"] == got["aiohttp"]
