"""Request / BaseRequest: the properties, body readers, forms, multipart, clone and the
request state — through httpx and aiohttp's client."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import aiohttp
import httpx
import pytest

from cyhttp import web

from ._serve import Raw, serve

KEY = web.RequestKey("key", str)


def app_with(handler: Any, method: str = "*", path: str = "/{tail:.*}", **kw: Any) -> web.Application:
    app = web.Application(**kw)
    app.router.add_route(method, path, handler)
    return app


async def test_url_parts() -> None:
    async def parts(request: web.Request) -> web.Response:
        return web.json_response({
            "path": request.path, "raw_path": request.raw_path, "path_qs": request.path_qs,
            "query": list(request.query.items()), "query_string": request.query_string,
            "rel_url": str(request.rel_url), "url": str(request.url), "host": request.host,
            "remote": request.remote, "scheme": request.scheme,
        })

    async with serve(app_with(parts)) as url, httpx.AsyncClient() as client:
        r = await client.get(str(url) + "/a%20b/c?x=1&x=2&y=%C3%A9")
        assert r.json() == {
            "path": "/a b/c", "raw_path": "/a%20b/c?x=1&x=2&y=%C3%A9",
            "path_qs": "/a%20b/c?x=1&x=2&y=%C3%A9", "query": [["x", "1"], ["x", "2"], ["y", "é"]],
            "query_string": "x=1&x=2&y=é", "rel_url": "/a%20b/c?x=1&x=2&y=%C3%A9",
            "url": f"http://127.0.0.1:{url.port}/a%20b/c?x=1&x=2&y=%C3%A9",
            "host": f"127.0.0.1:{url.port}", "remote": "127.0.0.1", "scheme": "http",
        }


async def test_headers_and_conditionals() -> None:
    async def info(request: web.Request) -> web.Response:
        return web.json_response({
            "ims": request.if_modified_since.isoformat() if request.if_modified_since else None,
            "ius": request.if_unmodified_since, "inm": [e.value for e in request.if_none_match or ()],
            "im": request.if_match, "range": [request.http_range.start, request.http_range.stop],
            "cookies": dict(request.cookies), "ct": request.content_type,
            "charset": request.charset, "cl": request.content_length,
            "raw": [k.decode() for k, _ in request.raw_headers],
        })

    headers = {"If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT",
               "If-None-Match": '"a", W/"b"', "Range": "bytes=10-19",
               "Cookie": "s=1; t=\"two\"", "Content-Type": "text/plain; charset=UTF-8"}
    async with serve(app_with(info)) as url, httpx.AsyncClient() as client:
        r = await client.post(str(url), headers=headers, content=b"abc")
        got = r.json()
        assert got["ims"] == "2015-10-21T07:28:00+00:00" and got["ius"] is None
        assert got["inm"] == ["a", "b"] and got["im"] is None
        assert got["range"] == [10, 20]
        assert got["cookies"] == {"s": "1", "t": "two"}
        assert (got["ct"], got["charset"], got["cl"]) == ("text/plain", "UTF-8", 3)  # as sent
        assert "Cookie" in got["raw"] or "cookie" in got["raw"]


async def test_read_text_json_and_content_stream() -> None:
    async def body(request: web.Request) -> web.Response:
        kind = request.match_info["tail"]
        if kind == "json":
            return web.json_response({"got": await request.json()})
        if kind == "text":
            return web.Response(text=(await request.text()).upper())
        if kind == "stream":
            chunks = [len(c) async for c in request.content.iter_chunked(1000)]
            return web.json_response(chunks)
        data = await request.read()
        assert await request.read() is data  # cached
        return web.Response(body=data)

    async with serve(app_with(body)) as url, httpx.AsyncClient() as client:
        assert (await client.post(str(url / "json"), json={"a": [1]})).json() == {"got": {"a": [1]}}
        assert (await client.post(str(url / "text"), content="héllo".encode())).text == "HÉLLO"
        assert (await client.post(str(url / "raw"), content=b"x" * 100000)).content == b"x" * 100000
        r = await client.post(str(url / "stream"), content=b"y" * 2500)
        assert sum(r.json()) == 2500


async def test_text_uses_the_declared_charset() -> None:
    async def body(request: web.Request) -> web.Response:
        return web.Response(text=await request.text())

    async with serve(app_with(body)) as url, httpx.AsyncClient() as client:
        r = await client.post(str(url), content="é".encode("latin-1"),
                              headers={"Content-Type": "text/plain; charset=latin-1"})
        assert r.text == "é"


async def test_chunked_upload_through_aiohttp_client() -> None:
    async def body(request: web.Request) -> web.Response:
        assert request.headers.get("Transfer-Encoding") == "chunked"
        return web.Response(text=str(len(await request.read())))

    async def gen() -> Any:
        for _ in range(10):
            yield b"z" * 1000

    async with serve(app_with(body)) as url, aiohttp.ClientSession() as s:
        async with s.post(str(url), data=gen()) as r:
            assert await r.text() == "10000"


async def test_post_urlencoded_and_multipart() -> None:
    async def form(request: web.Request) -> web.Response:
        data = await request.post()
        out: dict[str, Any] = {}
        for k, v in data.items():
            if isinstance(v, web.FileField):
                out[k] = [v.filename, v.content_type, v.file.read().decode()]
            else:
                out.setdefault(k, []).append(v)
        return web.json_response(out)

    async with serve(app_with(form)) as url, aiohttp.ClientSession() as s:
        async with s.post(str(url), data={"a": "1", "b": "é"}) as r:
            assert await r.json() == {"a": ["1"], "b": ["é"]}
        fd = aiohttp.FormData()
        fd.add_field("name", "value")
        fd.add_field("file", io.BytesIO(b"file body"), filename="f.txt", content_type="text/x-f")
        async with s.post(str(url), data=fd) as r:
            assert await r.json() == {"name": ["value"], "file": ["f.txt", "text/x-f", "file body"]}


async def test_post_field_limit() -> None:
    async def form(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.post())))

    app = app_with(form, client_max_fields=3)
    async with serve(app) as url, httpx.AsyncClient() as client:
        assert (await client.post(str(url), data={"a": "1", "b": "2"})).text == "2"
        r = await client.post(str(url), data={"a": "1", "b": "2", "c": "3", "d": "4"})
        assert (r.status_code, r.text) == (413, "Maximum number of form fields 3 exceeded.")


async def test_multipart_reader() -> None:
    async def parts(request: web.Request) -> web.Response:
        reader = await request.multipart()
        names = []
        async for part in reader:
            names.append((part.name, (await part.read()).decode()))  # type: ignore[union-attr]
        return web.json_response(names)

    async with serve(app_with(parts)) as url, aiohttp.ClientSession() as s:
        with aiohttp.MultipartWriter("form-data") as mp:
            p = mp.append("one")
            p.set_content_disposition("form-data", name="a")
            p = mp.append("two")
            p.set_content_disposition("form-data", name="b")
            async with s.post(str(url), data=mp) as r:
                assert await r.json() == [["a", "one"], ["b", "two"]]


async def test_body_flags_release_and_state() -> None:
    async def flags(request: web.Request) -> web.Response:
        request[KEY] = "v"
        before = (request.body_exists, request.can_read_body)
        await request.release()
        return web.json_response({"before": before, "after": request.can_read_body,
                                  "state": request[KEY], "len": len(request)})

    async with serve(app_with(flags)) as url, httpx.AsyncClient() as client:
        assert (await client.post(str(url), content=b"abc")).json() == {
            "before": [True, True], "after": False, "state": "v", "len": 1}
        assert (await client.get(str(url))).json()["before"] == [False, False]


async def test_clone_and_reading_after_the_response() -> None:
    seen: list[Any] = []

    async def clone(request: web.Request) -> web.Response:
        other = request.clone(method="POST", rel_url="/new?x=1", headers={"X": "y"},
                              host="h.example", scheme="https", remote="10.0.0.1")
        seen.append((other.method, other.path, other.query["x"], other.headers["X"],
                     other.host, other.scheme, other.remote, other.secure, type(other)))
        return web.Response(text="ok")

    async with serve(app_with(clone)) as url, httpx.AsyncClient() as client:
        assert (await client.get(str(url))).text == "ok"
    assert seen[0][:8] == ("POST", "/new", "1", "y", "h.example", "https", "10.0.0.1", True)
    assert seen[0][8] is web.Request


async def test_payload_is_closed_after_the_response() -> None:
    keep: list[web.Request] = []

    async def early(request: web.Request) -> web.Response:
        keep.append(request)
        return web.Response(text="early")

    async with serve(app_with(early)) as url, httpx.AsyncClient() as client:
        await client.post(str(url), content=b"abc")
        with pytest.raises(web.PayloadAccessError):
            await keep[0].read()


async def test_request_repr_and_transport_info() -> None:
    async def info(request: web.Request) -> web.Response:
        assert request.transport is not None and request.protocol is not None
        assert request.get_extra_info("peername")[0] == "127.0.0.1"
        assert request.task is asyncio.current_task()
        assert request.writer is not None
        return web.Response(text=repr(request))

    async with serve(app_with(info)) as url, httpx.AsyncClient() as client:
        assert (await client.get(str(url / "a"))).text == "<Request GET /a >"


async def test_contextvars_do_not_leak_between_requests() -> None:
    import contextvars

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def setter(request: web.Request) -> web.Response:
        before = var.get()
        var.set(request.match_info["tail"])
        if request.match_info["tail"] == "slow":
            await asyncio.sleep(0.01)
        return web.Response(text=before + " " + var.get())

    async with serve(app_with(setter)) as url, await Raw.connect(url) as raw:
        await raw.send(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                       b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        bodies = [(await raw.response())[2] for _ in range(3)]
        assert bodies == [b"unset a", b"unset slow", b"unset b"]


async def test_handler_can_use_asyncio_timeout_and_current_task() -> None:
    async def timed(request: web.Request) -> web.Response:
        assert asyncio.current_task() is not None
        try:
            async with asyncio.timeout(0.01):  # type: ignore[attr-defined]
                await asyncio.sleep(1)
        except TimeoutError:
            return web.Response(text="timed out")
        return web.Response(text="no")

    if not hasattr(asyncio, "timeout"):
        pytest.skip("asyncio.timeout is 3.11+")
    async with serve(app_with(timed)) as url, httpx.AsyncClient() as client:
        assert (await client.get(str(url))).text == "timed out"
        assert (await client.get(str(url))).text == "timed out"


async def test_handler_timeout_error_is_504() -> None:
    async def timeout(request: web.Request) -> web.Response:
        raise asyncio.TimeoutError()

    async with serve(app_with(timeout)) as url, httpx.AsyncClient() as client:
        r = await client.get(str(url))
        assert r.status_code == 504


async def test_handler_returning_nothing_is_500() -> None:
    async def nothing(request: web.Request) -> Any:
        return None

    async with serve(app_with(nothing)) as url, httpx.AsyncClient() as client:
        r = await client.get(str(url))
        assert (r.status_code, r.text) == (500, "500: Internal Server Error")


async def test_json_with_custom_loads() -> None:
    async def loads(request: web.Request) -> web.Response:
        data = await request.json(loads=lambda s: json.loads(s.upper()))
        return web.json_response(data)

    async with serve(app_with(loads)) as url, httpx.AsyncClient() as client:
        assert (await client.post(str(url), content=b'["a"]')).json() == ["A"]


async def test_compressed_request_bodies_are_decoded() -> None:
    import gzip
    import zlib

    async def body(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    data = b"squeeze me " * 1000
    async with serve(app_with(body)) as url, httpx.AsyncClient() as client:
        r = await client.post(str(url), content=gzip.compress(data), headers={"Content-Encoding": "gzip"})
        assert r.content == data
        r = await client.post(str(url), content=zlib.compress(data), headers={"Content-Encoding": "deflate"})
        assert r.content == data
        r = await client.post(str(url), content=b"plain", headers={"Content-Encoding": "identity"})
        assert r.content == b"plain"


async def test_compressed_body_that_does_not_decode_fails_the_read() -> None:
    seen: list[BaseException] = []

    async def body(request: web.Request) -> web.Response:
        try:
            await request.read()
        except web.RequestPayloadError as exc:
            seen.append(exc)
            return web.Response(status=400, text="bad body")
        return web.Response(text="no")

    async with serve(app_with(body)) as url, httpx.AsyncClient() as client:
        r = await client.post(str(url), content=b"not gzip at all", headers={"Content-Encoding": "gzip"})
        assert (r.status_code, r.text) == (400, "bad body")
    assert seen


async def test_compression_bomb_is_decoded_in_bounded_steps() -> None:
    """A 100 MiB gzip bomb (100 KiB on the wire): the server decodes only as far as the
    handler reads, and client_max_size refuses it early; memory stays small."""
    import gzip

    peak: list[int] = []

    async def body(request: web.Request) -> web.Response:
        total = 0
        async for chunk in request.content.iter_any():
            total += len(chunk)
            peak.append(len(request.content._buffer))  # type: ignore[attr-defined]
            if total > 4 * 1024 * 1024:
                break
        return web.Response(text=str(total))

    bomb = gzip.compress(b"\0" * (100 * 1024 * 1024), compresslevel=9)
    async with serve(app_with(body)) as url, await Raw.connect(url) as raw:
        await raw.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(bomb) + bomb)
        status, _, text = await raw.response(timeout=30)
        assert status == 200 and int(text) > 4 * 1024 * 1024
    assert max(peak) < 2 * 1024 * 1024


async def test_pipelined_request_after_a_decoded_body() -> None:
    import gzip

    async def body(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    payload = gzip.compress(b"a" * 3_000_000)
    async with serve(app_with(body, client_max_size=10**8)) as url, await Raw.connect(url) as raw:
        await raw.send(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(payload) + payload
                       + b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
        assert (await raw.response(timeout=30))[2] == b"3000000"
        assert (await raw.response(timeout=30))[2] == b"0"
