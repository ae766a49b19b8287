"""The floor: a raw asyncio Protocol that writes a fixed request and counts bytes.

It knows the exact size of every answer in advance (the server's are fixed), so it
does no parsing at all: nothing any real client could do on this loop is cheaper.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from bench.server import POST_OK, ROUTES


class _Conn(asyncio.Protocol):
    def __init__(self) -> None:
        self.waiter: asyncio.Future[int] | None = None
        self.left = 0
        self.size = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.left -= len(data)
        if self.left <= 0 and self.waiter is not None:
            waiter, self.waiter = self.waiter, None
            waiter.set_result(self.size)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))


class Adapter:
    name = "raw-floor"
    ws_open = None

    def __init__(self) -> None:
        self.idle: dict[tuple[str, int], list[_Conn]] = {}
        self.all: list[_Conn] = []
        self.requests: dict[tuple[str, str], bytes] = {}

    async def _exchange(self, url: str, request: bytes, expect: int) -> int:
        parts = urlsplit(url)
        key = (parts.hostname or "127.0.0.1", parts.port or 80)
        pool = self.idle.setdefault(key, [])
        if pool:
            conn = pool.pop()
        else:
            loop = asyncio.get_running_loop()
            _, conn = await loop.create_connection(_Conn, *key)
            self.all.append(conn)
        conn.left = conn.size = expect
        conn.waiter = asyncio.get_running_loop().create_future()
        conn.transport.write(request)
        size = await conn.waiter
        pool.append(conn)
        return size

    async def get(self, url: str) -> int:
        path = urlsplit(url).path
        request = self.requests.get((url, ""))
        if request is None:
            request = f"GET {path} HTTP/1.1\r\nHost: {urlsplit(url).netloc}\r\n\r\n".encode()
            self.requests[(url, "")] = request
        return await self._exchange(url, request, len(ROUTES[path.encode()]))

    async def post(self, url: str, body: bytes) -> int:
        request = self.requests.get((url, "post"))
        if request is None:
            parts = urlsplit(url)
            request = (
                f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            self.requests[(url, "post")] = request
        return await self._exchange(url, request, len(POST_OK))

    async def close(self) -> None:
        for conn in self.all:
            conn.transport.close()
