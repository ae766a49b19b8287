"""The pool through the real ClientSession against an aiohttp.web peer on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

import cyhttp
from cyhttp._client import tracing
from cyhttp.connector import TCPConnector

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


class Peer:
    def __init__(self) -> None:
        self.peak = 0
        self.peers: set[Any] = set()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handler(self, request: web.Request) -> web.Response:
        assert self.runner is not None and self.runner.server is not None
        self.peers.add(request.transport.get_extra_info("peername"))  # type: ignore[union-attr]
        self.peak = max(self.peak, len(self.runner.server.connections))
        await asyncio.sleep(0.002)
        return web.Response(text=request.path)

    async def start(self) -> Peer:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handler)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        assert self.runner is not None
        await self.runner.cleanup()


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    p = await Peer().start()
    yield p
    await p.stop()


async def test_limit_bounds_server_connections(peer: Peer) -> None:
    connector = TCPConnector(limit=5)
    async with cyhttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> str:
            async with session.get(f"{peer.url}/{i}") as resp:
                return await resp.text()

        bodies = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(200))), 60)
    assert bodies == [f"/{i}" for i in range(200)]
    assert peer.peak <= 5
    assert len(peer.peers) <= 5  # keep-alive reuse: never more than `limit` sockets in total here
    assert connector.closed


async def test_limit_per_host_with_session(peer: Peer) -> None:
    async with cyhttp.ClientSession(connector=TCPConnector(limit_per_host=2)) as session:

        async def one(i: int) -> int:
            async with session.get(f"{peer.url}/{i}") as resp:
                await resp.read()
                return resp.status

        assert set(await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(40))), 60)) == {200}
    assert peer.peak <= 2


async def test_cancelled_requests_leak_no_slot(peer: Peer) -> None:
    connector = TCPConnector(limit=2)
    async with cyhttp.ClientSession(connector=connector) as session:

        async def one(i: int) -> None:
            async with session.get(f"{peer.url}/{i}") as resp:
                await resp.read()

        tasks = [asyncio.create_task(one(i)) for i in range(20)]
        await asyncio.sleep(0.003)
        for t in tasks[::2]:
            t.cancel()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
        assert not connector._waiters
        assert not connector._acquired
        # Every slot still usable.
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(4))), 30)


async def test_trace_configs_see_connector_signals(peer: Peer) -> None:
    seen: list[str] = []
    config = tracing.TraceConfig()

    def record(name: str) -> Any:
        async def cb(session: Any, ctx: Any, params: Any) -> None:
            seen.append(name)

        return cb

    for name in ("connection_create_start", "connection_create_end", "connection_reuseconn"):
        getattr(config, f"on_{name}").append(record(name))
    async with cyhttp.ClientSession(trace_configs=[config]) as session:
        for i in range(2):
            async with session.get(f"{peer.url}/{i}") as resp:
                await resp.read()
    assert seen == ["connection_create_start", "connection_create_end", "connection_reuseconn"]
