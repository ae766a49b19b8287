"""WebSocket close and compress as aiohttp answers them (issue 12: gap 11): several tasks
closing at once, close() after a receive timed out, the ``compress`` the client reports."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

import cyhttp

from .._peers import web_server


def _app(silent: asyncio.Event | None = None) -> web.Application:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        msg = await ws.receive()
        if msg.type is aiohttp.WSMsgType.TEXT and msg.data == "be silent":
            assert silent is not None
            await silent.wait()  # never answers, not even the close
            return ws
        await ws.receive()
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    return app


@pytest.mark.parametrize("lib", [cyhttp, aiohttp], ids=["cyhttp", "aiohttp"])
@pytest.mark.parametrize("closers", [1, 2, 3])
async def test_concurrent_close_from_several_tasks(closers: int, lib) -> None:
    async with web_server(_app()) as url:
        async with lib.ClientSession() as session:
            ws = await session.ws_connect(url)
            await ws.send_bytes(b"ask")
            tasks = [asyncio.create_task(ws.close()) for _ in range(closers)]
            msg = await asyncio.wait_for(ws.receive(), 10)
            assert msg.type is lib.WSMsgType.CLOSED  # never ERROR
            results = await asyncio.wait_for(asyncio.gather(*tasks), 10)
            assert results.count(True) == 1
            assert (await ws.receive()).type is lib.WSMsgType.CLOSED
            assert ws.close_code == 1000


async def test_close_after_receive_timeout_returns_at_once() -> None:
    silent = asyncio.Event()
    async with web_server(_app(silent)) as url:
        try:
            async with cyhttp.ClientSession() as session:
                ws = await session.ws_connect(url, timeout=cyhttp.ClientWSTimeout(ws_close=30))
                await ws.send_str("be silent")
                with pytest.raises(asyncio.TimeoutError):
                    await ws.receive(timeout=0.1)
                loop = asyncio.get_running_loop()
                started = loop.time()
                assert await ws.close() is True
                assert loop.time() - started < 5  # not the 30 s ws_close wait
                assert ws.close_code == cyhttp.WSCloseCode.ABNORMAL_CLOSURE
        finally:
            silent.set()


@pytest.mark.parametrize("offer", [15, 9])
async def test_compress_reports_the_client_window_bits(offer: int) -> None:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(await ws.receive_str() + "/answer")
        await ws.close()
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    async with web_server(app) as url:
        seen = []
        for lib in (aiohttp, cyhttp):
            async with lib.ClientSession() as session:
                async with session.ws_connect(url, compress=offer) as ws:
                    await ws.send_str("ask")
                    assert await ws.receive_str() == "ask/answer"
                    seen.append(ws.compress)
    assert seen[1] == seen[0] == 15  # the server asked nothing of the client's window
