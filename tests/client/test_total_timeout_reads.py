"""The total timeout ends a body that keeps arriving (issue 12: gap 3): reads that find bytes
buffered never wait, yet raise TimeoutError once the deadline passed, as aiohttp's; a body
already complete stays readable."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

import cyhttp

from ._peers import web_server


def _app() -> web.Application:
    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        while True:
            await resp.write(b"1" * 1000)
            await asyncio.sleep(0.01)

    async def small(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 100)

    app = web.Application()
    app.router.add_get("/endless", endless)
    app.router.add_get("/small", small)
    return app


@pytest.mark.parametrize("how", ["iter_chunked", "readany", "readexactly", "readline", "readchunk"])
async def test_total_fires_while_data_keeps_arriving(how: str) -> None:
    async def consume(resp: cyhttp.ClientResponse) -> None:
        content = resp.content
        while True:
            if how == "iter_chunked":
                async for _ in content.iter_chunked(1):
                    await asyncio.sleep(0.01)
            elif how == "readany":
                await content.readany()
            elif how == "readexactly":
                await content.readexactly(1)
            elif how == "readline":
                await content.read(1)
            else:
                await content.readchunk()
            await asyncio.sleep(0.01)

    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url / "endless", timeout=cyhttp.ClientTimeout(total=0.5)) as resp:
                task = asyncio.ensure_future(consume(resp))
                done, _ = await asyncio.wait([task], timeout=5)
                assert done, "the total timeout never fired"
                with pytest.raises(asyncio.TimeoutError):
                    task.result()


async def test_a_complete_body_is_readable_after_the_deadline() -> None:
    async with web_server(_app()) as url:
        async with cyhttp.ClientSession() as session:
            async with session.get(url / "small", timeout=cyhttp.ClientTimeout(total=0.2)) as resp:
                await asyncio.sleep(0.4)
                assert await resp.content.read(10) == b"x" * 10
                assert await resp.read() == b"x" * 90
