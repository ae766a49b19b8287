"""Loopback helpers for the server tests: serve an app, talk to it with raw sockets.

An app is served by cyhttp.web (or, for side-by-side checks, by aiohttp.web) on
127.0.0.1 with port 0; raw clients send exact bytes and read what comes back.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from yarl import URL

from cyhttp import web


@asynccontextmanager
async def serve(app: Any, *, lib: Any = web, **runner_kwargs: Any) -> AsyncIterator[URL]:
    """Serve ``app`` with ``lib`` (cyhttp.web or aiohttp.web); yields the base URL."""
    runner_kwargs.setdefault("access_log", None)
    runner = lib.AppRunner(app, **runner_kwargs)
    await runner.setup()
    site = lib.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield URL(f"http://127.0.0.1:{site.port}")
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serve_app(routes: list[tuple[str, str, Any]], *, lib: Any = web, middlewares: Any = (),
                    client_max_size: int = 1024**2, **runner_kwargs: Any) -> AsyncIterator[URL]:
    """An app from ``(method, path, handler)`` triples, served as ``serve`` does."""
    app = lib.Application(middlewares=middlewares, client_max_size=client_max_size)
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    async with serve(app, lib=lib, **runner_kwargs) as url:
        yield url


class Raw:
    """A raw TCP client: send exact bytes, read responses or the connection's end."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, url: URL) -> Raw:
        reader, writer = await asyncio.open_connection(url.host, url.port)
        return cls(reader, writer)

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def read_all(self, timeout: float = 5.0) -> bytes:
        """Everything until the server closes the connection."""
        return await asyncio.wait_for(self.reader.read(), timeout)

    async def response(self, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
        """One response with a Content-Length or chunked body: (status, headers, body)."""
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        status, headers = parse_head(head)
        if "content-length" in headers:
            body = await asyncio.wait_for(
                self.reader.readexactly(int(headers["content-length"])), timeout)
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        else:
            body = b""
        return status, headers, body

    async def closed(self, timeout: float = 5.0) -> bool:
        """True once the server closed the connection (EOF or reset)."""
        try:
            return await asyncio.wait_for(self.reader.read(), timeout) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.writer.close()

    async def __aenter__(self) -> Raw:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """A response head → (status, lower-cased header names → values, last one wins)."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return status, headers


def responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Split raw bytes holding several Content-Length responses."""
    out = []
    while data:
        end = data.index(b"\r\n\r\n") + 4
        status, headers = parse_head(data[:end])
        length = int(headers.get("content-length", "0"))
        out.append((status, headers, data[end:end + length]))
        data = data[end + length:]
    return out


def normalise_date(head: bytes) -> bytes:
    """A head with its Date and Server values blanked (for comparing with aiohttp)."""
    head = re.sub(rb"Date: [^\r]*", b"Date: -", head)
    return re.sub(rb"Server: [^\r]*", b"Server: -", head)

