"""Cookies, tracing, request bodies (chunked, payloads, compress, Expect: 100-continue), charset."""

from __future__ import annotations

import asyncio
import io
from types import SimpleNamespace

import pytest
from aiohttp import web
from yarl import URL

import cyhttp

from ._peers import web_server


def make_app() -> web.Application:
    app = web.Application()

    async def set_cookie(request: web.Request) -> web.Response:
        resp = web.Response(text="set")
        resp.set_cookie("a", "1")
        resp.set_cookie("b", "2", path="/")
        return resp

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()  # aiohttp.web inflates a deflate request body itself
        return web.json_response({
            "method": request.method, "headers": dict(request.headers),
            "body": body.decode("latin1"), "cookies": dict(request.cookies),
        })

    async def charset(request: web.Request) -> web.Response:
        ctype = request.query.get("ct", "text/plain")
        return web.Response(body="héllo".encode(request.query.get("enc", "utf-8")),
                            headers={"Content-Type": ctype})

    async def links(request: web.Request) -> web.Response:
        return web.Response(text="", headers={"Link": '</next>; rel="next", </prev>; rel="prev"'})

    app.router.add_get("/set", set_cookie)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/charset", charset)
    app.router.add_get("/links", links)
    return app


@pytest.fixture
async def base():
    async with web_server(make_app()) as url:
        yield url


async def test_cookies_round_trip(base: URL) -> None:
    jar = cyhttp.CookieJar(unsafe=True)  # 127.0.0.1 is an IP host
    async with cyhttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(base / "set") as resp:
            assert resp.cookies["a"].value == "1"
        assert len(jar) == 2
        async with session.get(base / "echo", cookies={"c": "3"}) as resp:
            data = await resp.json()
        assert data["cookies"] == {"a": "1", "b": "2", "c": "3"}


async def test_session_cookies_argument(base: URL) -> None:
    async with cyhttp.ClientSession(cookies={"s": "v"}, cookie_jar=cyhttp.CookieJar(unsafe=True)) as session:
        async with session.get(base / "echo") as resp:
            assert (await resp.json())["cookies"] == {"s": "v"}


async def test_tracing_signals(base: URL) -> None:
    events: list[str] = []
    config = cyhttp.TraceConfig()

    def recorder(name: str):
        async def cb(session: object, ctx: SimpleNamespace, params: object) -> None:
            events.append(name)
            assert ctx.trace_request_ctx == "ctx"
        return cb

    for name in ("on_request_start", "on_request_end", "on_request_headers_sent",
                 "on_connection_create_start", "on_connection_create_end",
                 "on_connection_reuseconn", "on_response_chunk_received"):
        getattr(config, name).append(recorder(name))
    async with cyhttp.ClientSession(trace_configs=[config]) as session:
        for _ in range(2):
            async with session.get(base / "echo", trace_request_ctx="ctx") as resp:
                await resp.read()
    assert events.count("on_request_start") == 2
    assert events.count("on_request_end") == 2
    assert events.count("on_connection_create_end") == 1
    assert events.count("on_connection_reuseconn") == 1
    assert "on_request_headers_sent" in events and "on_response_chunk_received" in events


async def test_chunked_and_streamed_bodies(base: URL) -> None:
    async def gen():
        for part in (b"ab", b"cd", b"ef"):
            await asyncio.sleep(0)
            yield part

    async with cyhttp.ClientSession() as session:
        async with session.post(base / "echo", data=gen()) as resp:
            data = await resp.json()
        assert data["body"] == "abcdef"
        assert data["headers"]["Transfer-Encoding"] == "chunked"
        async with session.post(base / "echo", data=b"xyz", chunked=True) as resp:
            data = await resp.json()
        assert data["body"] == "xyz" and data["headers"]["Transfer-Encoding"] == "chunked"
        async with session.post(base / "echo", data=io.BytesIO(b"file body")) as resp:
            assert (await resp.json())["body"] == "file body"


async def test_form_and_formdata(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.post(base / "echo", data={"k": "v w"}) as resp:
            data = await resp.json()
        assert data["body"] == "k=v+w"
        assert data["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        form = cyhttp.FormData()
        form.add_field("f", b"bytes", filename="f.bin")
        async with session.post(base / "echo", data=form) as resp:
            data = await resp.json()
        assert data["headers"]["Content-Type"].startswith("multipart/form-data")
        assert "bytes" in data["body"]


async def test_compress_request_body(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.post(base / "echo", data=b"z" * 1000, compress="deflate") as resp:
            data = await resp.json()
    assert data["body"] == "z" * 1000
    assert data["headers"]["Content-Encoding"] == "deflate"


async def test_expect_100_continue(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.post(base / "echo", data=b"after continue", expect100=True) as resp:
            data = await resp.json()
    assert data["body"] == "after continue"


async def test_text_charsets_and_json_content_type(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(base / "charset", params={"ct": "text/plain; charset=latin-1", "enc": "latin-1"}) as resp:
            assert await resp.text() == "héllo"
            assert resp.get_encoding() == "latin-1"
        async with session.get(base / "charset") as resp:
            assert await resp.text() == "héllo"  # fallback resolver: utf-8
        async with session.get(base / "charset", params={"enc": "latin-1"}) as resp:
            assert await resp.text(encoding="latin-1") == "héllo"
            assert await resp.text(errors="replace") == "h\ufffdllo"
        async with session.get(base / "charset") as resp:
            with pytest.raises(cyhttp.ContentTypeError):
                await resp.json()
        async with session.get(base / "charset") as resp:
            with pytest.raises(ValueError):
                await resp.json(content_type=None)
    seen = []

    def resolver(resp: cyhttp.ClientResponse, body: bytes) -> str:
        seen.append(body)
        return "latin-1"

    async with cyhttp.ClientSession(fallback_charset_resolver=resolver) as session:
        async with session.get(base / "charset", params={"enc": "latin-1"}) as resp:
            assert await resp.text() == "héllo"
    assert seen


async def test_links(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(base / "links") as resp:
            links = resp.links
    assert links["next"]["url"] == base / "next"
    assert links["prev"]["url"] == base / "prev"
