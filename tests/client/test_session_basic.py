"""End-to-end requests through ClientSession against a real aiohttp.web peer."""

from __future__ import annotations

import asyncio
import json

import pytest
from aiohttp import web
from multidict import CIMultiDictProxy
from yarl import URL

import cyhttp
from cyhttp import hdrs

from ._peers import web_server

SEEN_PORTS: list[int] = []


def make_app() -> web.Application:
    app = web.Application()
    seen_ports = SEEN_PORTS
    seen_ports.clear()

    async def hello(request: web.Request) -> web.Response:
        seen_ports.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        return web.Response(text="hello")

    async def echo(request: web.Request) -> web.Response:
        body = await request.read()
        return web.json_response({
            "method": request.method,
            "path": request.path_qs,
            "headers": dict(request.headers),
            "body": body.decode("latin1"),
        })

    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * int(request.query.get("n", "1000000")))

    async def status(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["code"]), text="status")

    app.router.add_get("/", hello)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/big", big)
    app.router.add_get("/status/{code}", status)
    return app


@pytest.fixture
async def base():
    app = make_app()
    async with web_server(app) as url:
        yield url


async def test_get_text_keepalive(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        for _ in range(5):
            async with session.get(base / "") as resp:
                assert resp.status == 200
                assert resp.reason == "OK"
                assert resp.ok
                assert await resp.text() == "hello"
                assert isinstance(resp.headers, CIMultiDictProxy)
                assert resp.content_type == "text/plain"
                assert resp.charset == "utf-8"
                assert resp.version == (1, 1)
                assert resp.method == "GET"
                assert resp.url == base / ""
    ports = SEEN_PORTS
    assert len(ports) == 5 and len(set(ports)) == 1  # one connection, reused


async def test_await_without_context_manager(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        resp = await session.get(base / "")
        assert await resp.read() == b"hello"
        resp.release()


async def test_auto_headers(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(base / "echo") as resp:
            data = await resp.json()
    h = data["headers"]
    assert h["Host"] == f"127.0.0.1:{base.port}"
    assert h["Accept"] == "*/*"
    assert h["User-Agent"].startswith("Python/") and "cyhttp/" in h["User-Agent"]
    from cyhttp._http.compression import ACCEPT_ENCODING

    assert h["Accept-Encoding"] == ACCEPT_ENCODING
    assert "Content-Length" not in h


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
async def test_methods_with_body(base: URL, method: str) -> None:
    async with cyhttp.ClientSession() as session:
        async with getattr(session, method)(base / "echo", data=b"abc") as resp:
            data = await resp.json()
    assert data["method"] == method.upper()
    assert data["body"] == "abc"
    assert data["headers"]["Content-Length"] == "3"
    assert data["headers"]["Content-Type"] == "application/octet-stream"


async def test_post_without_body_sends_zero_length(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.post(base / "echo") as resp:
            data = await resp.json()
    assert data["headers"]["Content-Length"] == "0"


async def test_json_and_str_bodies(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.post(base / "echo", json={"a": [1, 2]}) as resp:
            data = await resp.json()
        assert json.loads(data["body"]) == {"a": [1, 2]}
        assert data["headers"]["Content-Type"] == "application/json"
        async with session.post(base / "echo", data="héllo") as resp:
            data = await resp.json()
        assert data["body"].encode("latin1").decode() == "héllo"
        assert data["headers"]["Content-Type"] == "text/plain; charset=utf-8"
        with pytest.raises(ValueError):
            await session.post(base / "echo", data=b"x", json={})


async def test_params_forms(base: URL) -> None:
    from multidict import MultiDict

    async with cyhttp.ClientSession() as session:
        for params, expected in [
            ({"a": "1", "b": "x y"}, "/echo?a=1&b=x+y"),
            ([("a", "1"), ("a", "2")], "/echo?a=1&a=2"),
            ("q=1&r=2", "/echo?q=1&r=2"),
            (MultiDict([("k", "v"), ("k", "w")]), "/echo?k=v&k=w"),
        ]:
            async with session.get(base / "echo", params=params) as resp:
                assert (await resp.json())["path"] == expected


async def test_encoded_url_sent_untouched(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        url = URL(str(base) + "/echo?a=%2F%2f&b=%7e", encoded=True)
        async with session.get(url) as resp:
            assert (await resp.json())["path"] == "/echo?a=%2F%2f&b=%7e"


async def test_session_headers_and_override(base: URL) -> None:
    async with cyhttp.ClientSession(headers={"X-A": "1", "X-B": "2"}) as session:
        async with session.get(base / "echo", headers={"X-B": "3"}) as resp:
            h = (await resp.json())["headers"]
    assert h["X-A"] == "1" and h["X-B"] == "3"


async def test_skip_auto_headers(base: URL) -> None:
    async with cyhttp.ClientSession(skip_auto_headers=["User-Agent"]) as session:
        async with session.get(base / "echo", skip_auto_headers=["Accept-Encoding"]) as resp:
            h = (await resp.json())["headers"]
    assert "User-Agent" not in h and "Accept-Encoding" not in h and h["Accept"] == "*/*"


async def test_base_url(base: URL) -> None:
    async with cyhttp.ClientSession(base_url=str(base) + "/") as session:
        async with session.get("echo") as resp:
            assert (await resp.json())["path"] == "/echo"
    with pytest.raises(ValueError):
        cyhttp.ClientSession(base_url="http://127.0.0.1/x")


async def test_big_body_and_content_length(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(base / "big", params={"n": "3000000"}) as resp:
            assert resp.content_length == 3000000
            body = await resp.read()
            assert body == b"x" * 3000000
            assert await resp.read() is body  # cached


async def test_raise_for_status(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(base / "status/404") as resp:
            assert resp.status == 404 and not resp.ok
            with pytest.raises(cyhttp.ClientResponseError) as info:
                resp.raise_for_status()
            assert info.value.status == 404
            assert info.value.request_info.url == base / "status/404"
        with pytest.raises(cyhttp.ClientResponseError):
            await session.get(base / "status/500", raise_for_status=True)
    async with cyhttp.ClientSession(raise_for_status=True) as session:
        with pytest.raises(cyhttp.ClientResponseError):
            await session.get(base / "status/418")
        async with session.get(base / "status/404", raise_for_status=False) as resp:
            assert resp.status == 404
    calls = []

    async def check(resp: cyhttp.ClientResponse) -> None:
        calls.append(resp.status)

    async with cyhttp.ClientSession(raise_for_status=check) as session:
        async with session.get(base / "status/503") as resp:
            assert resp.status == 503
    assert calls == [503]


async def test_head_and_options(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.head(base / "big") as resp:
            assert resp.status == 200
            assert resp.headers["Content-Length"] == "1000000"
            assert await resp.read() == b""
        async with session.options(base / "echo") as resp:
            assert (await resp.json())["method"] == "OPTIONS"
        # the connection stays usable after a HEAD
        async with session.get(base / "") as resp:
            assert await resp.text() == "hello"


async def test_closed_session(base: URL) -> None:
    session = cyhttp.ClientSession()
    await session.close()
    await session.close()  # idempotent
    assert session.closed
    with pytest.raises(RuntimeError):
        await session.get(base / "")


async def test_unclosed_session_warns(base: URL) -> None:
    session = cyhttp.ClientSession()
    connector = session.connector
    with pytest.warns(ResourceWarning, match="Unclosed client session"):
        loop = asyncio.get_running_loop()
        old = loop.get_exception_handler()
        loop.set_exception_handler(lambda loop, ctx: None)
        try:
            del session
            import gc

            gc.collect()
        finally:
            loop.set_exception_handler(old)
    assert connector is not None
    await connector.close()


async def test_module_level_request(base: URL) -> None:
    async with cyhttp.request("GET", base / "") as resp:
        assert resp.status == 200
        assert await resp.text() == "hello"


async def test_config_is_one_frozen_object() -> None:
    import dataclasses

    session = cyhttp.ClientSession(read_bufsize=1234, auto_decompress=False)
    try:
        cfg = session.config
        assert cfg.read_bufsize == 1234 and not session.auto_decompress
        with pytest.raises(dataclasses.FrozenInstanceError):
            cfg.read_bufsize = 1  # type: ignore[misc]
    finally:
        await session.close()


async def test_invalid_and_non_http_urls() -> None:
    async with cyhttp.ClientSession() as session:
        with pytest.raises(cyhttp.NonHttpUrlClientError):
            await session.get("ftp://127.0.0.1/")
        with pytest.raises(cyhttp.InvalidUrlClientError):
            await session.get("http:///nohost")


async def test_header_injection_refused(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        with pytest.raises(ValueError):
            await session.get(base / "echo", headers={"X-A": "1\r\nX-Evil: 1"})
        with pytest.raises(ValueError):
            await session.get(base / "echo", headers={"X-A\n": "1"})
        with pytest.raises(ValueError):
            await session.get(URL(str(base) + "/echo?a=\r\nX: y", encoded=True))
        with pytest.raises(ValueError):
            await session.get(base / "echo", headers={"X-A": "a\x00b"})
        async with session.get(base / "") as resp:  # nothing broke
            assert await resp.text() == "hello"


async def test_response_attributes(base: URL) -> None:
    async with cyhttp.ClientSession() as session:
        async with session.get(base / "", headers={hdrs.ACCEPT: "text/plain"}) as resp:
            assert resp.host == "127.0.0.1"
            assert resp.real_url == base / ""
            assert resp.history == ()
            assert resp.request_info.method == "GET"
            assert resp.request_info.headers["Accept"] == "text/plain"
            assert any(k.lower() == b"content-type" for k, _ in resp.raw_headers)
            assert "200" in repr(resp)


async def test_release_is_awaitable_like_aiohttp() -> None:
    """aiohttp users write ``await resp.release()``; a second release is harmless too."""
    from aiohttp import web

    from ._peers import web_server

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_get("/", hello)
    async with web_server(app) as url, cyhttp.ClientSession() as session:
        resp = await session.get(url)
        assert await resp.read() == b"hi"
        assert await resp.release() is None
        await resp.release()
        async with session.get(url) as again:  # the connection went back to the pool
            assert again.status == 200
