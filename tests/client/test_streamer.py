"""``@cyhttp.streamer`` bodies, as aiohttp's deprecated ``@aiohttp.streamer`` (issue 12: gap 12)."""

from __future__ import annotations

import pytest
from aiohttp import web

import cyhttp

from ._peers import web_server


def _app(seen: list[tuple[bytes, str | None, str]]) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        seen.append((await request.read(), request.headers.get("Transfer-Encoding"), request.content_type))
        return web.Response()

    app = web.Application()
    app.router.add_post("/", handler)
    return app


async def test_streamer_with_arguments_and_without() -> None:
    with pytest.warns(DeprecationWarning, match="streamer is deprecated"):
        @cyhttp.streamer
        async def send(writer, parts: int = 3) -> None:
            for i in range(parts):
                await writer.write(b"part%d;" % i)

    seen: list[tuple[bytes, str | None, str]] = []
    async with web_server(_app(seen)) as url:
        async with cyhttp.ClientSession() as session:
            async with session.post(url, data=send(parts=2)) as resp:
                assert resp.status == 200
            async with session.post(url, data=send) as resp:  # the decorated function itself
                assert resp.status == 200
            async with session.post(url, data=send(1), headers={"Content-Length": "6"}) as resp:
                assert resp.status == 200
    assert seen == [
        (b"part0;part1;", "chunked", "application/octet-stream"),
        (b"part0;part1;part2;", "chunked", "application/octet-stream"),
        (b"part0;", None, "application/octet-stream"),
    ]


def test_import_paths() -> None:
    from cyhttp.payload_streamer import streamer

    assert streamer is cyhttp.streamer
