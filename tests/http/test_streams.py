"""StreamReader: every reader method, EOF and error rules, and flow control on a real connection."""

from __future__ import annotations

import asyncio

import pytest

import cyhttp
from cyhttp._http.flow import READ_SIZE
from cyhttp._http.streams import EMPTY_PAYLOAD, StreamReader

from ..client._peers import raw_server, read_head


async def fed(*parts: bytes, eof: bool = True, limit: int = 2**16) -> StreamReader:
    stream = StreamReader(None, limit)
    for part in parts:
        stream.feed_data(part)
    if eof:
        stream.feed_eof()
    return stream


async def test_read_variants() -> None:
    s = await fed(b"hello ", b"world\nline2\nrest")
    assert await s.read(3) == b"hel"
    assert await s.readline() == b"lo world\n"
    assert await s.readuntil(b"2\n") == b"line2\n"
    assert await s.readexactly(2) == b"re"
    assert not s.at_eof()
    assert await s.readany() == b"st"
    assert s.at_eof()
    assert await s.read() == b""
    assert await s.readline() == b""
    assert s.total_bytes == 22


async def test_readexactly_incomplete() -> None:
    s = await fed(b"abc")
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await s.readexactly(5)
    assert info.value.partial == b"abc"


async def test_readline_limit() -> None:
    s = await fed(b"x" * 300, eof=False, limit=64)
    with pytest.raises(ValueError):
        await s.readline()


async def test_wakeup_across_feeds() -> None:
    s = StreamReader(None, 2**16)

    async def producer() -> None:
        for part in (b"ab", b"c\nde", b"f"):
            await asyncio.sleep(0)
            s.feed_data(part)
        s.feed_eof()

    task = asyncio.ensure_future(producer())
    assert await s.readline() == b"abc\n"
    assert await s.readexactly(3) == b"def"
    assert await s.read() == b""
    await task


async def test_iterators() -> None:
    s = await fed(b"a\nb\n", b"c")
    assert [line async for line in s] == [b"a\n", b"b\n", b"c"]
    s = await fed(b"abcdefg")
    assert [c async for c in s.iter_chunked(3)] == [b"abc", b"def", b"g"]
    s = await fed(b"ab", b"cd")
    assert b"".join([c async for c in s.iter_any()]) == b"abcd"
    s = await fed(b"ab", b"cd")
    chunks = [c async for c in s.iter_chunks()]
    assert b"".join(c for c, _ in chunks) == b"abcd"


async def test_exception_and_concurrent_readers() -> None:
    s = StreamReader(None, 2**16)
    reader = asyncio.ensure_future(s.read(1))
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await s.read(1)
    err = cyhttp.ClientPayloadError("boom")
    s.set_exception(err)
    with pytest.raises(cyhttp.ClientPayloadError):
        await reader
    assert s.exception() is err
    with pytest.raises(cyhttp.ClientPayloadError):
        await s.readany()


async def test_empty_payload() -> None:
    assert EMPTY_PAYLOAD.at_eof()
    assert await EMPTY_PAYLOAD.read() == b""
    assert await EMPTY_PAYLOAD.readany() == b""


async def test_wait_eof_and_on_eof() -> None:
    s = StreamReader(None, 2**16)
    called = []
    s.on_eof(lambda: called.append(1))
    waiter = asyncio.ensure_future(s.wait_eof())
    await asyncio.sleep(0)
    s.feed_eof()
    await waiter
    assert called == [1]
    s.on_eof(lambda: called.append(2))
    assert called == [1, 2]


# -- on a real connection --------------------------------------------------------

def big_body_server(size: int, record: dict):
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
        sent = 0
        while sent < size:
            writer.write(b"z" * 65536)
            sent += 65536
            record["server_buffer"] = max(record.get("server_buffer", 0), writer.transport.get_write_buffer_size())
            try:
                await asyncio.wait_for(writer.drain(), 0.5)
            except asyncio.TimeoutError:
                record["stalled"] = True
                await writer.drain()
        await reader.read()

    return handler


async def test_flow_control_pauses_and_resumes() -> None:
    size = 8 * 1024 * 1024
    record: dict = {}
    async with raw_server(big_body_server(size, record)) as srv:
        async with cyhttp.ClientSession(read_bufsize=2**16) as session:
            async with session.get(srv.url / "x") as resp:
                transport = resp.connection.transport
                # The server floods; we do not read: the client must pause reading.
                for _ in range(200):
                    await asyncio.sleep(0.01)
                    if not transport.is_reading():
                        break
                assert not transport.is_reading()
                # Bounded: the high-water mark (2 x read_bufsize) plus at most one read
                # (asyncio's loops read through a READ_SIZE buffer; uvloop reads 64 KiB).
                assert len(resp.content._buffer) <= 2 * 2**16 + max(READ_SIZE, 2**16)
                total = 0
                async for chunk in resp.content.iter_chunked(2**16):
                    total += len(chunk)
                assert total == size
    assert record.get("server_buffer", 0) > 0


async def test_read_all_lifts_flow_control() -> None:
    size = 4 * 1024 * 1024
    async with raw_server(big_body_server(size, {})) as srv:
        async with cyhttp.ClientSession(read_bufsize=2**14) as session:
            async with session.get(srv.url / "x") as resp:
                body = await resp.read()
                assert len(body) == size


async def test_readexactly_larger_than_high_water() -> None:
    size = 1024 * 1024
    async with raw_server(big_body_server(size, {})) as srv:
        async with cyhttp.ClientSession(read_bufsize=2**12) as session:
            async with session.get(srv.url / "x") as resp:
                assert len(await resp.content.readexactly(size)) == size
                assert await resp.content.read() == b""
