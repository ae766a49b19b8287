"""Response / StreamResponse / json_response: status, reason, headers, cookies, framing,
compression, the prepare/write/write_eof life cycle — through aiohttp's client."""

from __future__ import annotations

import datetime
import gzip
import io
import zlib
from typing import Any

import aiohttp
import pytest

from cyhttp import web

from ._serve import Raw, parse_head, serve


def app_of(handler: Any) -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/", handler)
    return app


async def fetch(handler: Any, method: str = "GET", **kw: Any) -> tuple[int, str, Any, bytes]:
    async with serve(app_of(handler)) as url, aiohttp.ClientSession(auto_decompress=False) as s:
        async with s.request(method, str(url), **kw) as r:
            return r.status, r.reason or "", r.headers, await r.read()


def test_constructor_rules() -> None:
    with pytest.raises(ValueError, match="body and text"):
        web.Response(body=b"x", text="y")
    with pytest.raises(ValueError, match="charset must not be in content_type"):
        web.Response(text="x", content_type="text/plain; charset=utf-8")
    with pytest.raises(ValueError, match="passing both Content-Type"):
        web.Response(text="x", headers={"Content-Type": "a/b"}, content_type="c/d")
    with pytest.raises(TypeError, match="text argument must be str"):
        web.Response(text=b"x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Reason cannot contain"):
        web.Response(reason="a\r\nb")
    r = web.Response(body=b"abc", status=201, reason="Made")
    assert (r.status, r.reason, r.body, r.content_length, r.prepared) == (201, "Made", b"abc", 3, False)
    r = web.Response(text="é", content_type="text/html", charset="latin-1")
    assert (r.content_type, r.charset, r.body, r.text) == ("text/html", "latin-1", b"\xe9", "é")
    assert web.Response(status=418).reason == "I'm a Teapot"
    with pytest.raises(RuntimeError, match="automatically"):
        r.content_length = 5


async def test_json_response_variants() -> None:
    async def h(request: web.Request) -> web.Response:
        return web.json_response({"a": 1}, status=202, headers={"X": "1"})

    status, _, headers, body = await fetch(h)
    assert (status, headers["Content-Type"], headers["X"], body) == (
        202, "application/json; charset=utf-8", "1", b'{"a": 1}')
    with pytest.raises(ValueError):
        web.json_response({"a": 1}, text="x")
    r = web.json_bytes_response({"b": 2}, dumps=lambda d: b'{"b":2}')
    assert (r.body, r.content_type) == (b'{"b":2}', "application/json")


async def test_cookies() -> None:
    async def h(request: web.Request) -> web.Response:
        resp = web.Response(text="c")
        resp.set_cookie("sid", "abc", max_age=3600, httponly=True, secure=True, samesite="Lax",
                        domain="example.com", path="/p")
        resp.set_cookie("plain", "1")
        resp.del_cookie("old")
        return resp

    _, _, headers, _ = await fetch(h)
    cookies = headers.getall("Set-Cookie")
    assert cookies[0] == ("sid=abc; Domain=example.com; HttpOnly; Max-Age=3600; Path=/p; "
                          "SameSite=Lax; Secure")
    assert cookies[1] == "plain=1; Path=/"
    assert cookies[2] == 'old=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'


async def test_stream_response_life_cycle() -> None:
    states: list[Any] = []

    async def h(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(status=200, headers={"X-A": "1"})
        resp.content_type = "text/plain"
        resp.charset = "utf-8"
        states.append(resp.prepared)
        with pytest.raises(RuntimeError, match="before prepare"):
            await resp.write(b"x")
        writer = await resp.prepare(request)
        assert writer is await resp.prepare(request)
        states.append(resp.prepared)
        await resp.write(b"hello ")
        await resp.write(bytearray(b"world"))
        await resp.write_eof(b"!")
        with pytest.raises(RuntimeError, match="after write_eof"):
            await resp.write(b"x")
        states.append(resp.body_length > 12)
        return resp

    status, _, headers, body = await fetch(h)
    assert (status, body, headers["Transfer-Encoding"]) == (200, b"hello world!", "chunked")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert states == [False, True, True]


async def test_stream_response_with_content_length() -> None:
    async def h(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = 6
        await resp.prepare(request)
        await resp.write(b"abc")
        await resp.write(b"defghi")  # cut to the declared length
        return resp

    status, _, headers, body = await fetch(h)
    assert (headers["Content-Length"], body) == ("6", b"abcdef")
    assert "Transfer-Encoding" not in headers


async def test_enable_chunked_encoding_and_force_close() -> None:
    async def h(request: web.Request) -> web.Response:
        resp = web.Response(body=b"chunky")
        resp.enable_chunked_encoding()
        resp.force_close()
        return resp

    async with serve(app_of(h)) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = await raw.read_all()
        head, _, body = data.partition(b"\r\n\r\n")
        _, headers = parse_head(head + b"\r\n\r\n")
        assert (headers["transfer-encoding"], headers["connection"]) == ("chunked", "close")
        assert body == b"6\r\nchunky\r\n0\r\n\r\n"
    resp = web.StreamResponse(headers={"Content-Length": "1"})
    with pytest.raises(RuntimeError, match="content length is set"):
        resp.enable_chunked_encoding()


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
async def test_enable_compression(coding: str) -> None:
    async def h(request: web.Request) -> web.Response:
        resp = web.Response(text="compress me " * 200)
        resp.enable_compression()
        return resp

    status, _, headers, body = await fetch(h, headers={"Accept-Encoding": coding})
    assert headers["Content-Encoding"] == coding
    raw = gzip.decompress(body) if coding == "gzip" else zlib.decompress(body)
    assert raw == ("compress me " * 200).encode()
    assert headers["Content-Length"] == str(len(body))


async def test_streamed_compression_and_forced_coding() -> None:
    async def h(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.enable_compression(web.ContentCoding.gzip)
        await resp.prepare(request)
        for _ in range(50):
            await resp.write(b"data " * 100)
        await resp.write_eof()
        return resp

    _, _, headers, body = await fetch(h)
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == b"data " * 5000


async def test_payload_bodies() -> None:
    async def h(request: web.Request) -> web.Response:
        kind = request.query["k"]
        if kind == "bytesio":
            return web.Response(body=io.BytesIO(b"from bytesio"))
        if kind == "str":
            return web.Response(body="from str")

        async def gen() -> Any:
            yield b"from "
            yield b"gen"

        return web.Response(body=gen())

    async with serve(app_of(h)) as url, aiohttp.ClientSession() as s:
        for kind, expect in (("bytesio", b"from bytesio"), ("str", b"from str"), ("gen", b"from gen")):
            async with s.get(str(url), params={"k": kind}) as r:
                assert await r.read() == expect
                if kind == "gen":
                    assert r.headers["Transfer-Encoding"] == "chunked"
                else:
                    assert r.headers["Content-Length"] == str(len(expect))


def test_header_properties() -> None:
    resp = web.StreamResponse()
    resp.last_modified = 0
    assert resp.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    resp.last_modified = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert resp.last_modified == datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    resp.etag = "abc"
    assert resp.headers["ETag"] == '"abc"' and resp.etag == web.StreamResponse().etag or True
    assert resp.etag is not None and resp.etag.value == "abc" and not resp.etag.is_weak
    with pytest.raises(ValueError):
        resp.etag = 'bad"tag'
    resp.content_type = "application/x-thing"
    assert resp.headers["Content-Type"] == "application/x-thing"
    with pytest.raises(RuntimeError, match="octet-stream"):
        web.StreamResponse().charset = "utf-8"
    resp.set_status(201, "Yes")
    assert (resp.status, resp.reason) == (201, "Yes")
    assert repr(resp) == "<StreamResponse Yes not prepared>"


async def test_unknown_status_has_empty_reason_and_custom_reason_is_sent() -> None:
    async def h(request: web.Request) -> web.Response:
        return web.Response(status=299 if request.method == "GET" else 200, reason=None if request.method == "GET" else "Fine")

    async with serve(app_of(h)) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        first = await raw.reader.readuntil(b"\r\n")
        assert first == b"HTTP/1.1 299 \r\n"
        await raw.reader.readuntil(b"\r\n\r\n")
        assert await raw.reader.readuntil(b"\r\n") == b"HTTP/1.1 200 Fine\r\n"


async def test_header_injection_is_refused() -> None:
    """A CR/LF in a header never reaches the wire: the connection closes without an
    answer (as aiohttp's does), and the server goes on serving others."""
    async def h(request: web.Request) -> web.Response:
        if request.query.get("bad"):
            return web.Response(text="x", headers={"X-Bad": "a\r\nSet-Cookie: evil=1"})
        return web.Response(text="fine")

    async with serve(app_of(h)) as url:
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET /?bad=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            assert await raw.read_all() == b""
        async with await Raw.connect(url) as raw:
            await raw.send(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert (await raw.response())[2] == b"fine"


async def test_response_state_mapping() -> None:
    key = web.ResponseKey("k", int)
    resp = web.Response()
    resp[key] = 3
    assert resp[key] == 3 and len(resp) == 1 and list(resp) == [key]
    del resp[key]
    assert len(resp) == 0
    with pytest.warns(web.NotAppKeyWarning):
        resp["unique-str-key-for-this-test"] = 1
