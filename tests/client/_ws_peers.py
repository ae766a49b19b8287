"""Loopback WebSocket peers for the client tests: raw asyncio servers and frame helpers.

The raw server completes (or deliberately botches) the handshake, then runs a
per-test script on the stream; the frame helpers build exactly the bytes a case
needs, including invalid ones no library would send.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import re
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def accept_for(key: bytes) -> bytes:
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def frame(
    opcode: int,
    payload: bytes = b"",
    *,
    fin: bool = True,
    rsv: int = 0,
    mask: bytes | None = None,
    length: int | None = None,
) -> bytes:
    """One server frame; ``length`` overrides the header length (for lies)."""
    n = len(payload) if length is None else length
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    mask_bit = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes((first, mask_bit | n))
    elif n < 65536:
        head = struct.pack("!BBH", first, mask_bit | 126, n)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, n)
    if mask is not None:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


def close_frame(code: int, reason: bytes = b"") -> bytes:
    return frame(0x8, struct.pack("!H", code) + reason)


def deflate(payload: bytes, wbits: int = 15) -> bytes:
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -wbits)
    out = c.compress(payload) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """(opcode, fin, unmasked payload) of one client frame; the client must mask."""
    b0, data = await read_frame_raw(reader)
    return b0 & 0x0F, bool(b0 & 0x80), data


async def read_frame_raw(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(first header byte: FIN/RSV/opcode, unmasked payload) of one client frame."""
    b0, b1 = await reader.readexactly(2)
    assert b1 & 0x80, "client frames must be masked"
    n = b1 & 0x7F
    if n == 126:
        (n,) = struct.unpack("!H", await reader.readexactly(2))
    elif n == 127:
        (n,) = struct.unpack("!Q", await reader.readexactly(8))
    key = await reader.readexactly(4)
    data = await reader.readexactly(n)
    if n:
        stream = (key * (n // 4 + 1))[:n]
        data = (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big")
    return b0, data


async def read_close(reader: asyncio.StreamReader, limit: int = 1000) -> int | None:
    """Skip client frames until its CLOSE; its code (None at EOF)."""
    for _ in range(limit):
        try:
            opcode, _, data = await read_frame(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        if opcode == 0x8:
            return struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 0
    return None


def good_101(key: bytes, extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept_for(key) + b"\r\n" + extra + b"\r\n"
    )


class RawServer:
    """Accepts connections; answers the handshake with ``respond(key, head)``; runs ``script``."""

    def __init__(self, script: Script, respond: Callable[[bytes, bytes], bytes] | None = None) -> None:
        self.script = script
        self.respond = respond or (lambda key, head: good_101(key))
        self.heads: list[bytes] = []
        self.results: list[object] = []
        self.errors: list[BaseException] = []
        self.done = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.append(writer)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            self.heads.append(head)
            m = re.search(rb"(?i)sec-websocket-key:\s*(\S+)", head)
            key = m.group(1) if m else b""
            writer.write(self.respond(key, head))
            await writer.drain()
            self.results.append(await asyncio.wait_for(self.script(reader, writer), 10))
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            self.errors.append(exc)
        finally:
            self.done.set()
            writer.close()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        for w in self._writers:
            w.close()
        self._server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@contextlib.asynccontextmanager
async def raw_server(
    script: Script, respond: Callable[[bytes, bytes], bytes] | None = None
) -> AsyncIterator[RawServer]:
    async with RawServer(script, respond) as srv:
        yield srv
