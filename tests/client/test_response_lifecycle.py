"""A response after it was released or its session closed, as aiohttp behaves (issue 12: gaps 3
and 5), and response attributes aiohttp has (content_disposition, total_raw_bytes)."""

from __future__ import annotations

import asyncio
import gzip

import pytest
from aiohttp import web
from yarl import URL

import cyhttp

from ._peers import web_server


def _app() -> web.Application:
    async def big(request: web.Request) -> web.Response:
        return web.Response(body=b"1" * 1_000_000)

    async def small(request: web.Request) -> web.Response:
        return web.Response(body=b"hello")

    async def drip(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for _ in range(20):
            await resp.write(b"data\n")
            await asyncio.sleep(0.05)
        return resp

    async def attachment(request: web.Request) -> web.Response:
        return web.Response(body=b"a,b\n", headers={"Content-Disposition": 'attachment; filename="report.csv"'})

    async def gzipped(request: web.Request) -> web.Response:
        body = gzip.compress(b"x" * 50_000)
        return web.Response(body=body, headers={"Content-Encoding": "gzip"})

    app = web.Application()
    app.router.add_get("/big", big)
    app.router.add_get("/small", small)
    app.router.add_get("/drip", drip)
    app.router.add_get("/attachment", attachment)
    app.router.add_get("/gzip", gzipped)
    return app


async def test_read_after_session_closed_raises_runtime_error() -> None:
    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            resp = await session.get(url / "big")
        with pytest.raises(RuntimeError, match="Connection closed"):
            await asyncio.wait_for(resp.read(), 10)


@pytest.mark.parametrize("body_read_first", [False, True])
async def test_read_after_release_raises(body_read_first: bool) -> None:
    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url / "small") as resp:
                if body_read_first:
                    assert await resp.read() == b"hello"
            with pytest.raises(cyhttp.ClientConnectionError):
                await resp.read()
            with pytest.raises(cyhttp.ClientConnectionError):
                await resp.text()
            # the connection went back to the pool all the same
            async with session.get(url / "small") as again:
                assert await again.read() == b"hello"


async def test_read_content_after_release_raises() -> None:
    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            resp = await session.get(url / "drip")
            resp.release()
            with pytest.raises(cyhttp.ClientConnectionError):
                await resp.content.read()


async def test_release_wakes_a_pending_readline() -> None:
    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            resp = await session.get(url / "drip")
            assert await resp.content.readline() == b"data\n"
            asyncio.get_running_loop().call_later(0.2, resp.release)
            with pytest.raises(cyhttp.ClientConnectionError):
                while True:
                    await asyncio.wait_for(resp.content.readline(), 10)


async def test_content_disposition() -> None:
    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url / "attachment") as resp:
                cd = resp.content_disposition
                assert cd is not None
                assert cd.type == "attachment"
                assert cd.filename == "report.csv"
                assert dict(cd.parameters) == {"filename": "report.csv"}
            async with session.get(url / "small") as resp:
                assert resp.content_disposition is None


async def test_total_raw_bytes_counts_the_encoded_body() -> None:
    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url / "gzip") as resp:
                assert len(await resp.read()) == 50_000
                assert resp.content.total_raw_bytes == int(resp.headers["Content-Length"])
                assert resp.content.total_bytes == 50_000
            async with session.get(url / "gzip", auto_decompress=False) as resp:
                data = await resp.read()
                assert resp.content.total_raw_bytes == len(data) == int(resp.headers["Content-Length"])
            async with session.get(url / "small") as resp:
                await resp.read()
                assert resp.content.total_raw_bytes == 5


def test_request_info_real_url_defaults_to_url() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    url = URL("http://example.com/a")
    info = cyhttp.RequestInfo(url, "GET", CIMultiDictProxy(CIMultiDict()))
    assert info.real_url is url
    assert info == (url, "GET", info.headers, url)
    other = URL("http://example.com/a#frag")
    assert cyhttp.RequestInfo(url, "GET", info.headers, other).real_url is other


def test_connection_key_has_server_hostname() -> None:
    from cyhttp.client_reqrep import ConnectionKey

    key = ConnectionKey("h", 443, True, True, None, None, None)
    assert key.server_hostname is None
    assert key != key._replace(server_hostname="other")


async def test_content_type_parameters_join_rfc2231_continuations() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body="é".encode("latin-1"), headers={
            "Content-Type": 'text/plain; charset*0="iso-"; charset*1="8859-1"; title*0*=utf-8\'\'%C3%A9; title*1=t',
            "Content-Disposition": "attachment; filename*0=\"re\"; filename*1=\"port.csv\"",
        })

    app = web.Application()
    app.router.add_get("/", handler)
    async with web_server(app) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url) as resp:
                assert resp.charset == "iso-8859-1"
                assert resp._parsed_content_type()[1]["title"] == "ét"
                assert await resp.text() == "é"
                assert resp.content_disposition is not None
                assert resp.content_disposition.filename == "report.csv"


async def test_body_readable_after_raise_for_status_inside_async_with() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=b"data", status=404)

    app = web.Application()
    app.router.add_get("/", handler)
    async with web_server(app) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url) as resp:
                with pytest.raises(cyhttp.ClientResponseError, match="404"):
                    resp.raise_for_status()
                assert await resp.read() == b"data"
            resp = await session.get(url)
            async with resp:  # entering the response itself
                with pytest.raises(cyhttp.ClientResponseError):
                    resp.raise_for_status()
                assert await resp.read() == b"data"
