"""A "101" that switches nothing (no Upgrade header) is a bodiless response whose connection
is reused, as aiohttp reads it; a real 101 still hands the connection over (issue 12: gap 3)."""

from __future__ import annotations

import asyncio

from aiohttp import web

import cyhttp

from ._peers import canned, raw_server, web_server


async def test_101_without_upgrade_keeps_the_connection() -> None:
    async def handler(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=101)

    app = web.Application()
    app.router.add_get("/", handler)
    reused = 0

    async def on_reuse(session, ctx, params) -> None:
        nonlocal reused
        reused += 1

    trace = cyhttp.TraceConfig()
    trace.on_connection_reuseconn.append(on_reuse)
    async with web_server(app) as url:
        async with cyhttp.ClientSession(connector=cyhttp.TCPConnector(limit=1), trace_configs=[trace]) as s:
            resp1 = await s.get(url)
            assert resp1.status == 101
            assert await resp1.read() == b""
            resp2 = await asyncio.wait_for(s.get(url), 10)  # limit=1: the first gave its connection back
            assert await resp2.read() == b""
    assert reused == 1


async def test_101_without_upgrade_then_pipelined_bytes_closes() -> None:
    data = b"HTTP/1.1 101 Switching Protocols\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
    async with raw_server(canned(data)) as srv:
        async with cyhttp.ClientSession(connector=cyhttp.TCPConnector(limit=1)) as s:
            for _ in range(2):  # each on a fresh connection: the stray bytes are never read as a response
                resp = await asyncio.wait_for(s.get(srv.url), 10)
                assert resp.status == 101
                assert await resp.read() == b""
    assert srv.accepted == 2
