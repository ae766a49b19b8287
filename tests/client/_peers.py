"""Real loopback peers for the request-path tests: an aiohttp.web app and raw servers.

Tests may import aiohttp (as a peer); the product never does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from yarl import URL


@asynccontextmanager
async def web_server(app: web.Application) -> AsyncIterator[URL]:
    """Serve ``app`` on 127.0.0.1:<free port>; yields the base URL."""
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield URL(f"http://127.0.0.1:{port}")
    finally:
        await runner.cleanup()


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    """An ``asyncio.start_server`` peer that counts connections (now and at most)."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.open = 0
        self.max_open = 0
        self.accepted = 0
        self.url = URL("http://127.0.0.1")
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        self.accepted += 1
        self.max_open = max(self.max_open, self.open)
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self.open -= 1
            self._tasks.discard(task)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, asyncio.CancelledError):
                pass

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = URL(f"http://127.0.0.1:{port}")
        return self

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            try:
                await asyncio.wait_for(task, 5)
            except BaseException:
                pass
        await self._server.wait_closed()


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[RawServer]:
    server = await RawServer(handler).start()
    try:
        yield server
    finally:
        await server.close()


async def read_head(reader: asyncio.StreamReader) -> bytes:
    """One request head (through the blank line)."""
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)


def canned(*responses: bytes, close: bool = False) -> Handler:
    """A handler answering each request head with the next canned response bytes."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for data in responses:
            head = await read_head(reader)
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            writer.write(data)
            await writer.drain()
        if close:
            return
        await reader.read()  # wait for the client to close

    return handler
