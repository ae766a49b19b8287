"""MultipartReader reads any stream with aiohttp's reader interface (read(n), readline(),
at_eof()), not only cyhttp's StreamReader: aiohttp's own multipart tests drive it with such a
stand-in (issue 12)."""

from __future__ import annotations

import asyncio

import pytest

import cyhttp

BODY = (
    b"--:\r\nContent-Type: text/plain\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n"
    b"--:\r\nContent-Disposition: form-data; name=\"b\"; filename=\"b.bin\"\r\n\r\n" + b"\x00\x01" * 50_000 +
    b"\r\n--:--\r\n"
)


async def _parts(content: object) -> list[tuple[str | None, bytes]]:
    reader = cyhttp.MultipartReader({"Content-Type": "multipart/form-data; boundary=:"}, content)
    out = []
    async for part in reader:
        out.append((part.name, await part.read()))
    return out


async def test_over_an_asyncio_stream_reader() -> None:
    stream = asyncio.StreamReader()
    stream.feed_data(BODY)
    stream.feed_eof()
    assert await _parts(stream) == [("a", b"hello"), ("b", b"\x00\x01" * 50_000)]


@pytest.mark.parametrize("piece", [1, 7, 4096])
async def test_over_a_short_read_stream(piece: int) -> None:
    class Trickle:
        def __init__(self, data: bytes) -> None:
            self._data = data

        async def read(self, n: int = -1) -> bytes:
            size = min(piece, len(self._data)) if n < 0 else min(piece, n, len(self._data))
            out, self._data = self._data[:size], self._data[size:]
            return out

        async def readline(self) -> bytes:
            i = self._data.find(b"\n")
            out, self._data = (self._data, b"") if i < 0 else (self._data[: i + 1], self._data[i + 1:])
            return out

        def at_eof(self) -> bool:
            return not self._data

    assert await _parts(Trickle(BODY)) == [("a", b"hello"), ("b", b"\x00\x01" * 50_000)]
