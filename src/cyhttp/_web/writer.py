"""The response's payload writer: the shared StreamWriter plus a held-back head.

How this works: the head is serialised at prepare (``set_head``) but not sent; the first
body write (or ``send_headers`` for a streaming response) sends head and bytes in one
``transport.write``.  ``end(data)`` is the whole ending in one synchronous call: the
last bytes (compressed, framed, cut to Content-Length as the writer is set up), the
chunked terminator and, for a small response, the head too — one write, no coroutine;
it returns True when the transport is paused and the caller should ``await drain()``.
A small ending (up to ``CORK_LIMIT``) is not written at once but handed to the
connection (``protocol.cork``), which writes everything corked in one loop iteration
at its end: pipelined answers leave in one send, and the loop runs the Python side of
all its ready connections before the kernel's send path for any of them.  Every other
write first uncorks its connection, so bytes keep their order.
A response that must have no body (HEAD, 1xx, 204, 304) gets ``no_body``: body bytes
are dropped, the head still goes out.  Streaming writes, drain and compression setup
are the shared writer's (what a Payload writes through).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from .._http.errors import TransportClosingError
from .._http.writer import StreamWriter
from .head import response_head

__all__ = ("ResponseWriter",)

_write_raw = StreamWriter._write
CORK_LIMIT = 1 << 16


class ResponseWriter(StreamWriter):
    """What ``request.writer`` is: the writer a StreamResponse prepares and writes to."""

    __slots__ = ("_head", "no_body")

    def __init__(self, protocol: Any, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(protocol, loop)
        self._head: bytes | None = None
        self.no_body = False

    async def write_headers(self, status_line: str, headers: Iterable[tuple[str, str]]) -> None:
        """aiohttp's signature: a whole status line and the headers (held back, see above)."""
        version, _, rest = status_line.partition(" ")
        status, _, reason = rest.partition(" ")
        major, _, minor = version[5:].partition(".")
        self._head = response_head((int(major), int(minor)), int(status), reason, headers)

    def set_head(self, head: bytes) -> None:
        """Hold back an already serialised head."""
        self._head = head

    def send_headers(self) -> None:
        """Send the held-back head now (a streaming response's prepare())."""
        head = self._head
        if head is not None:
            self._head = None
            self._out(head)

    def _write(self, data: bytes | bytearray | memoryview) -> None:
        head = self._head
        if head is not None:
            self._head = None
            self._out(head if self.no_body else head + data)
        elif not self.no_body:
            self._out(data)

    def _out(self, data: bytes | bytearray | memoryview) -> None:
        """Write now, after whatever this connection has corked."""
        protocol = self._protocol
        if protocol._corked is not None:
            protocol.uncork()
        _write_raw(self, data)

    async def write(self, chunk: bytes | bytearray | memoryview, *, drain: bool = True,
                    LIMIT: int = 0x10000) -> None:
        if self.no_body:
            self.send_headers()
            return
        await super().write(chunk, drain=drain, LIMIT=LIMIT)

    def end(self, data: bytes | bytearray | memoryview = b"") -> bool:
        """Send the last bytes and end the body; True when the caller should drain."""
        if self._eof:
            return False
        self._eof = True
        if self.no_body:
            data = b""
        else:
            compress = self._compress
            if compress is not None:
                self._compress = None
                data = (compress.compress(bytes(data)) if data else b"") + compress.flush()
            length = self.length
            if length is not None and data:
                if len(data) >= length:
                    data = data[:length]
                    self.length = 0
                else:
                    self.length = length - len(data)
            if self.chunked:
                data = (b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)) if data else b"0\r\n\r\n"
        head = self._head
        if head is not None:
            self._head = None
            data = head + data if data else head
        if data:
            if len(data) <= CORK_LIMIT:
                transport = self._transport
                if transport is None or transport.is_closing():
                    raise TransportClosingError("Cannot write to closing transport")
                self.output_size += len(data)
                self._protocol.cork(data)
            else:
                self._out(data)
        return self._protocol._writing_paused  # type: ignore[no-any-return]

    async def write_eof(self, chunk: bytes = b"") -> None:
        if self.end(chunk):
            await self.drain()
