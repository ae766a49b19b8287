"""Large Content-Length bodies read straight into the body's buffer (asyncio's loops).

Inside a Content-Length body of at least 64 KiB the protocol hands the socket a window
in the response's own buffer, never past the body's end.  These tests send such bodies
from raw servers in awkward pieces and check what a reader sees: the exact bytes, the
next response on the same connection, streaming reads, a slow reader (flow control),
a connection cut mid-body and a stalled body (sock_read).
"""

from __future__ import annotations

import asyncio
import os

import pytest

import cyhttp
from cyhttp._client.protocol_buffered import BufferedResponseHandler

from ._peers import raw_server, read_head

BODY = os.urandom(3 * 1024 * 1024 + 17)


def _response(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)


def _serve(body: bytes, *, pieces: int = 7, then: bytes = b"", cut: int | None = None,
           stall_after: int | None = None):
    """Answer each request with ``body`` in uneven pieces; ``then``: a second answer."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        data = _response(body) + body
        if cut is not None:
            data = data[:cut]
        step = max(1, len(data) // pieces)
        for i in range(0, len(data), step):
            writer.write(data[i:i + step])
            await writer.drain()
            if stall_after is not None and i >= stall_after:
                await asyncio.sleep(10)
            await asyncio.sleep(0)
        if cut is not None:
            return  # close mid-body
        if then:
            await read_head(reader)
            writer.write(then)
            await writer.drain()
        await reader.read()

    return handler


async def test_large_body_read_exactly_then_next_response_on_same_connection() -> None:
    second = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
    async with raw_server(_serve(BODY, then=second)) as srv, cyhttp.ClientSession() as session:
        async with session.get(srv.url / "big") as resp:
            assert isinstance(resp.connection.protocol, BufferedResponseHandler)
            assert await resp.read() == BODY
        async with session.get(srv.url / "small") as resp:
            assert await resp.read() == b"hello"
        assert srv.accepted == 1


@pytest.mark.parametrize("size", [65535, 65536, 65537, 200_000])
async def test_bodies_around_the_direct_threshold(size: int) -> None:
    body = os.urandom(size)
    async with raw_server(_serve(body, pieces=3)) as srv, cyhttp.ClientSession() as session:
        async with session.get(srv.url) as resp:
            assert await resp.read() == body


async def test_streaming_reads_see_every_byte_in_order() -> None:
    async with raw_server(_serve(BODY, pieces=31)) as srv, cyhttp.ClientSession() as session:
        async with session.get(srv.url) as resp:
            got = bytearray()
            async for chunk in resp.content.iter_chunked(50_000):
                assert 0 < len(chunk) <= 50_000
                got += chunk
            assert bytes(got) == BODY and resp.content.total_bytes == len(BODY)


async def test_slow_reader_pauses_the_transport_and_gets_everything() -> None:
    async with raw_server(_serve(BODY, pieces=5)) as srv, cyhttp.ClientSession(read_bufsize=2**14) as session:
        async with session.get(srv.url) as resp:
            proto = resp.connection.protocol
            paused_seen = False
            got = bytearray()
            for _ in range(10_000):
                await asyncio.sleep(0.001)
                paused_seen = paused_seen or proto._reading_paused
                chunk = await resp.content.read(2**15)
                if not chunk:
                    break
                got += chunk
            assert paused_seen  # the high-water mark (2 x 16 KiB) stopped the reads
            assert bytes(got) == BODY


async def test_connection_cut_mid_body_is_a_payload_error() -> None:
    cut = len(_response(BODY)) + 1_000_000
    async with raw_server(_serve(BODY, cut=cut)) as srv, cyhttp.ClientSession() as session:
        async with session.get(srv.url) as resp:
            with pytest.raises(cyhttp.ClientPayloadError):
                await resp.read()


async def test_stalled_body_hits_sock_read() -> None:
    timeout = cyhttp.ClientTimeout(sock_read=0.3)
    async with raw_server(_serve(BODY, pieces=20, stall_after=500_000)) as srv, \
            cyhttp.ClientSession(timeout=timeout) as session:
        async with session.get(srv.url) as resp:
            with pytest.raises(cyhttp.ServerTimeoutError):
                await resp.read()
