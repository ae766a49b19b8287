"""The floor: raw asyncio protocols that write fixed bytes and count what comes back.

It knows the exact size of every answer in advance (the server's are fixed), so it
does no parsing at all: nothing any real client could do on this loop is cheaper.

HTTP: one pre-built request per (url, method); wait until the known response size
has arrived.  WebSocket: a fixed upgrade request (fixed Sec-WebSocket-Key, the answer
is not validated beyond finding the end of the 101 head), then per echo ONE masked
frame built once per payload with a fixed mask key, and a wait until the exact size
of the server's unmasked echo frame (2/4/10-byte header + payload) has arrived.

How it reads, per loop (``_buffered_reads``; ``BENCH_FLOOR_READ=plain|buffered`` forces one):
- plain ``Protocol.data_received``: the loop makes a bytes per recv.  On asyncio that
  is a fresh 256 KiB object shrunk to what came, which glibc serves with an mmap +
  mremap + munmap every time.
- ``BufferedProtocol``: the loop ``recv_into``s one reused buffer; nothing allocated.
Measured with ``BENCH_FLOOR_READ`` forcing each kind (2 cores, server pinned to the
other one, client CPU µs per operation, median of 3-5 alternating 1 s rounds; the
machine was shared, so throughput was too noisy to compare, CPU per op was not):
  asyncio  small64   plain 26.0  buffered 12.7
           ws_small  plain 26.1  buffered 10.6  (first scenario of its process)
           dl1m      plain 148-166  buffered 151-155 (equal within noise)
  uvloop   small64   plain 10.1-10.3  buffered 10.4-11.8
           ws_small  plain 8.2   buffered 8.2-9.0
           dl1m      plain 137-151  buffered 139-168
So asyncio reads buffered: the mmap churn of the 256 KiB bytes per recv is the whole
difference.  It depends on the heap's history: after a 1 MiB download has raised
glibc's dynamic mmap threshold, plain reads cost ~10.7 µs on ws_small too (so a
plain floor's figure changed with the scenarios run before it).  uvloop keeps plain
``data_received``: it already reads into its own buffer, and plain is never dearer.
"""

from __future__ import annotations

import asyncio
import json
import os
from urllib.parse import urlsplit

from bench.scenarios import Setup
from bench.server import POST_OK, ROUTES

READ_SIZE = 256 * 1024  # what asyncio's plain path asks recv for, so both kinds read alike
WS_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455's sample key: fixed, never validated
MASK = b"\x37\xfa\x21\x3d"


def _buffered_reads(loop: asyncio.AbstractEventLoop) -> bool:
    forced = os.environ.get("BENCH_FLOOR_READ")
    if forced:
        return forced == "buffered"
    return isinstance(loop, asyncio.BaseEventLoop)  # asyncio's own loops (see docstring)


class _Counter:
    """Counts received bytes down to zero, then resolves the waiter with ``size``.

    ``head`` is the WebSocket handshake phase: bytes are gathered until the 101 head
    ends (the server sends nothing after it until we send a frame)."""

    transport: asyncio.Transport

    def __init__(self) -> None:
        # The loop, kept: asyncio.get_running_loop() makes a getpid syscall per call.
        self.loop = asyncio.get_running_loop()
        self.waiter: asyncio.Future[int] | None = None
        self.left = 0
        self.size = 0
        self.head: bytearray | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def _got(self, n: int) -> None:
        self.left -= n
        if self.left <= 0 and self.waiter is not None:
            waiter, self.waiter = self.waiter, None
            waiter.set_result(self.size)

    def _got_head(self, data: bytes) -> None:
        head = self.head
        assert head is not None
        head += data
        if head.find(b"\r\n\r\n") >= 0 and self.waiter is not None:
            self.head = None
            waiter, self.waiter = self.waiter, None
            waiter.set_result(0)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))


class _Plain(_Counter, asyncio.Protocol):
    def data_received(self, data: bytes) -> None:
        if self.head is None:
            self._got(len(data))
        else:
            self._got_head(data)


class _Buffered(_Counter, asyncio.BufferedProtocol):
    # One buffer for all connections: the loop calls get_buffer -> recv_into ->
    # buffer_updated back to back, and nothing here keeps the bytes.
    view = memoryview(bytearray(READ_SIZE))

    def get_buffer(self, sizehint: int) -> memoryview:
        return self.view

    def buffer_updated(self, nbytes: int) -> None:
        if self.head is None:
            self._got(nbytes)
        else:
            self._got_head(self.view[:nbytes].tobytes())


def _masked_frame(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    stream = (MASK * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")
    return head + MASK + masked


def _echo_size(n: int) -> int:
    return n + (2 if n < 126 else 4 if n < 65536 else 10)


class RawWS:
    """One upgraded connection: what ``ws_open`` returns and ``ws_echo`` drives."""

    def __init__(self, conn: _Counter) -> None:
        self.conn = conn

    async def close(self) -> None:
        self.conn.transport.close()


class Adapter:
    name = "raw-floor"

    def __init__(self, setup: Setup | None = None) -> None:
        setup = setup or Setup()
        self.idle: dict[tuple[str, int], list[_Counter]] = {}
        self.all: list[_Counter] = []
        self.requests: dict[tuple[str, str], bytes] = {}
        self.frames: dict[str | bytes, tuple[bytes, int, int]] = {}
        self.kind: type[_Counter] | None = None
        # A pattern's limits: the least a bounded pool must do, one semaphore each (no middleware:
        # the floor's "middleware" pattern is its plain GET; its cookies are bytes in the head).
        self.limit = asyncio.Semaphore(setup.limit) if setup.limit else None
        self.per_host = setup.limit_per_host
        self.host_limits: dict[tuple[str, int], asyncio.Semaphore] = {}
        self.cookie = "; ".join(f"{k}={v}" for k, v in setup.cookies.items())

    async def _connect(self, key: tuple[str, int]) -> _Counter:
        loop = asyncio.get_running_loop()
        if self.kind is None:
            self.kind = _Buffered if _buffered_reads(loop) else _Plain
        _, conn = await loop.create_connection(self.kind, *key)
        self.all.append(conn)
        return conn

    async def _exchange(self, url: str, request: bytes, expect: int) -> int:
        parts = urlsplit(url)
        key = (parts.hostname or "127.0.0.1", parts.port or 80)
        if self.limit is None and not self.per_host:
            return await self._send(key, request, expect)
        host = None
        if self.per_host:
            host = self.host_limits.get(key)
            if host is None:
                host = self.host_limits[key] = asyncio.Semaphore(self.per_host)
            await host.acquire()
        try:
            if self.limit is None:
                return await self._send(key, request, expect)
            async with self.limit:
                return await self._send(key, request, expect)
        finally:
            if host is not None:
                host.release()

    async def _send(self, key: tuple[str, int], request: bytes, expect: int) -> int:
        pool = self.idle.setdefault(key, [])
        conn = pool.pop() if pool else await self._connect(key)
        conn.left = conn.size = expect
        conn.waiter = conn.loop.create_future()
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

    async def get_headers(self, url: str, headers: dict[str, str]) -> int:
        parts = urlsplit(url)
        request = self.requests.get((url, "headers"))
        if request is None:
            lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
            request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{lines}{cookie}\r\n".encode()
            self.requests[(url, "headers")] = request
        return await self._exchange(url, request, len(ROUTES[parts.path.encode()]))

    async def post_json(self, url: str, doc: object) -> int:
        request = self.requests.get((url, "json"))
        if request is None:
            body = json.dumps(doc).encode()
            parts = urlsplit(url)
            request = (
                f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            self.requests[(url, "json")] = request
        return await self._exchange(url, request, len(POST_OK))

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

    async def ws_open(self, url: str) -> RawWS:
        parts = urlsplit(url)
        conn = await self._connect((parts.hostname or "127.0.0.1", parts.port or 80))
        conn.head = bytearray()
        conn.waiter = conn.loop.create_future()
        conn.transport.write(
            f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {WS_KEY.decode()}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        await conn.waiter
        return RawWS(conn)

    async def ws_echo(self, ws: RawWS, payload: str | bytes) -> int:
        entry = self.frames.get(payload)
        if entry is None:
            data = payload.encode() if isinstance(payload, str) else payload
            opcode = 1 if isinstance(payload, str) else 2
            entry = self.frames[payload] = (_masked_frame(opcode, data), _echo_size(len(data)), len(payload))
        frame, expect, size = entry
        conn = ws.conn
        conn.left = expect
        conn.size = size
        conn.waiter = conn.loop.create_future()
        conn.transport.write(frame)
        return await conn.waiter

    async def close(self) -> None:
        for conn in self.all:  # HTTP and WebSocket connections alike
            conn.transport.close()
