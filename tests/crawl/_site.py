"""Real loopback peers for the crawler toolkit's tests (aiohttp.web apps started by the tests)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from yarl import URL

from ..client._peers import web_server

__all__ = ("Recorder", "web_server", "serve")


class Recorder:
    """An app whose handlers are set per path; every hit is logged with its arrival time."""

    def __init__(self) -> None:
        self.hits: list[tuple[float, str, str, bytes]] = []  # (monotonic time, method, path_qs, body)
        self.routes: dict[str, Callable[[web.Request, int], Awaitable[web.StreamResponse]]] = {}
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._handle)

    def count(self, path: str) -> int:
        return sum(1 for _, _, p, _ in self.hits if p.split("?")[0] == path)

    def times(self, path_prefix: str = "") -> list[float]:
        return [t for t, _, p, _ in self.hits if p.startswith(path_prefix)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.hits.append((time.monotonic(), request.method, request.path_qs, body))
        n = self.count(request.path)
        route = self.routes.get(request.path)
        if route is None:
            if request.path == "/robots.txt":
                return web.Response(status=404)
            return web.Response(text=f"ok {request.path}")
        return await route(request, n)


@asynccontextmanager
async def serve(recorder: Recorder) -> AsyncIterator[URL]:
    async with web_server(recorder.app) as base:
        yield base


async def gather_bounded(*aws: Awaitable[object], timeout: float = 30) -> list[object]:
    return list(await asyncio.wait_for(asyncio.gather(*aws), timeout))
