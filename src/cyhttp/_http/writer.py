"""Request serialisation: the head as one bytes object, and the body writer.

How this works: ``serialize_head`` joins the request line and every header line in
one ``str.join`` and encodes once; injection is refused by counting line breaks in
the joined text (exactly one CRLF per line is legal), two C-level scans instead of a
check per value.  ``StreamWriter`` is what ``Payload.write(writer)`` talks to: it
writes through the transport, frames chunked bodies, optionally compresses, and
waits on the protocol's drain when the transport's buffer is full.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from .errors import TransportClosingError

__all__ = ("serialize_head", "StreamWriter", "HeaderInjectionError")

_INJECTION_MSG = (
    "Newline or carriage return character detected in HTTP status line or headers. "
    "This is a potential security issue."
)


class HeaderInjectionError(ValueError):
    """CR, LF or NUL inside the request line or a header (refused before sending)."""


def serialize_head(request_line: str, headers: Iterable[tuple[str, str]]) -> bytes:
    """``request_line`` (no CRLF) + headers → the complete head, ending in CRLF CRLF."""
    parts = [request_line]
    n = 1
    for name, value in headers:
        parts.append(f"{name}: {value}")
        n += 1
    parts.append("\r\n")
    text = "\r\n".join(parts)
    # A legal head has exactly n CRLF pairs (plus the final empty line): any other
    # CR, LF or NUL came from a name, a value, or the target.
    if text.count("\n") != n + 1 or text.count("\r") != n + 1 or "\x00" in text:
        raise HeaderInjectionError(_INJECTION_MSG)
    return text.encode("utf-8", "surrogateescape")


class StreamWriter:
    """Writes a request body to the connection (the ``writer`` a Payload receives)."""

    __slots__ = (
        "_protocol", "_transport", "loop", "chunked", "output_size", "buffer_size",
        "length", "_compress", "_eof",
    )

    def __init__(self, protocol: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._protocol = protocol
        self._transport: asyncio.Transport | None = protocol.transport
        self.loop = loop
        self.chunked = False
        self.output_size = 0  # bytes handed to the transport
        self.buffer_size = 0
        self.length: int | None = None
        self._compress: Any = None
        self._eof = False

    @property
    def transport(self) -> asyncio.Transport | None:
        return self._transport

    @property
    def protocol(self) -> Any:
        return self._protocol

    def enable_chunking(self) -> None:
        self.chunked = True

    def enable_compression(self, encoding: str = "deflate", strategy: int | None = None) -> None:
        from .compression import Encoder

        self._compress = Encoder(encoding)

    def enable_compression_with(self, encoder: Any) -> None:
        """Compress every later write with ``encoder`` (flushed by ``write_eof``)."""
        self._compress = encoder

    def _write(self, data: bytes | bytearray | memoryview) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            raise TransportClosingError("Cannot write to closing transport")
        self.output_size += len(data)
        transport.write(data)

    def write_raw(self, data: bytes) -> None:
        """Write ``data`` as is (the head, or a pre-framed body)."""
        self._write(data)

    async def write(self, chunk: bytes | bytearray | memoryview, *, drain: bool = True,
                    LIMIT: int = 0x10000) -> None:
        if self._compress is not None:
            chunk = self._compress.compress(bytes(chunk))
        if not chunk:
            return
        if self.length is not None:
            size = len(chunk)
            if size >= self.length:
                chunk = memoryview(chunk)[: self.length]
                self.length = 0
            else:
                self.length -= size
        if self.chunked:
            self._write(b"%x\r\n" % len(chunk) + bytes(chunk) + b"\r\n")
        else:
            self._write(chunk)
        if drain:
            await self.drain()

    async def write_headers(self, status_line: str, headers: Iterable[tuple[str, str]]) -> None:
        self._write(serialize_head(status_line, headers))

    async def write_eof(self, chunk: bytes = b"") -> None:
        if self._eof:
            return
        if chunk:
            await self.write(chunk, drain=False)
        if self._compress is not None:
            tail = self._compress.flush()
            self._compress = None
            if tail:
                if self.chunked:
                    self._write(b"%x\r\n" % len(tail) + tail + b"\r\n")
                else:
                    self._write(tail)
        if self.chunked:
            self._write(b"0\r\n\r\n")
        self._eof = True
        await self.drain()

    async def drain(self) -> None:
        await self._protocol.drain()

    def set_eof(self) -> None:
        self._eof = True
