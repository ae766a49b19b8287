"""readchunk() / iter_chunks(): HTTP chunk boundaries reported exactly as aiohttp reports them.

Both clients read the same raw byte streams from a loopback server in lock-step: the server
sends one segment, the reader drains every pair ``readchunk()`` gives without waiting, then
the next segment goes.  The (data, end_of_http_chunk, segment) lists must be equal.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from types import ModuleType

import aiohttp
import pytest

import cyhttp

from ._peers import canned, raw_server, read_head

HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
GZ_HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n"


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def _gzip_parts() -> list[bytes]:
    co = zlib.compressobj(wbits=31)
    parts = [co.compress(b"hello"), co.flush(zlib.Z_SYNC_FLUSH), co.compress(b"world!" * 50),
             co.flush(zlib.Z_SYNC_FLUSH), co.flush()]
    return [p for p in parts if p]


GZ = _gzip_parts()
GZ_BODY = b"".join(chunk(p) for p in GZ) + b"0\r\n\r\n"

LAYOUTS = {
    "one-read": [HEAD + b"5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"],
    "chunk-split": [HEAD, b"5\r\nhel", b"lo", b"\r\n3\r\nabc\r\n0\r\n\r\n"],
    "crlf-split": [HEAD, b"5\r\nhel", b"lo\r", b"\n3\r\nab", b"c\r\n0\r\n\r\n"],
    "end-after-read": [HEAD + b"5\r\nhe", b"llo\r\n3\r\na", b"bc\r\n", b"0\r\n\r\n"],
    "crlf-next-read": [HEAD + b"5\r\nhello\r\n3\r\nabc\r\n4\r\nwxyz", b"\r\n0\r\n\r\n"],
    "trailers": [HEAD + b"3\r\na", b"bc\r\n", b"0\r\n", b"X-T: 1\r\n", b"\r\n"],
    "extensions": [HEAD + b"2;a=b\r\nab\r\n", b"1 ;x\r\nc\r\n0\r\n\r\n"],
    "many-small": [HEAD + b"".join(chunk(bytes([65 + i])) for i in range(20)), b"0\r\n\r\n"],
    "big-and-small": [HEAD + chunk(b"x" * 70000)[:40000], chunk(b"x" * 70000)[40000:] + chunk(b"yz"),
                      b"0\r\n\r\n"],
    "empty-body": [HEAD + b"0\r\n\r\n"],
    "bytewise": [HEAD] + [bytes([b]) for b in b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"],
    "gzip-one-read": [GZ_HEAD + GZ_BODY],
    "gzip-per-chunk": [GZ_HEAD] + [chunk(p) for p in GZ] + [b"0\r\n\r\n"],
    "gzip-split": [GZ_HEAD, GZ_BODY[:15], GZ_BODY[15:40], GZ_BODY[40:]],
    "not-chunked": [b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nabc", b"defgh"],
    "until-eof": [b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc", b"de", None],
}


async def lockstep_pairs(mod: ModuleType, segments: list[bytes | None]) -> list[tuple]:
    """Run ``mod``'s client over ``segments`` (the first holds the head); None closes."""
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()
    sent: asyncio.Queue[bool] = asyncio.Queue()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        while (segment := await queue.get()) is not None:
            writer.write(segment)
            await writer.drain()
            sent.put_nowait(True)
        writer.close()
        sent.put_nowait(True)

    async with raw_server(handler) as server, mod.ClientSession() as session:
        queue.put_nowait(segments[0])
        async with session.get(server.url) as resp:
            await asyncio.wait_for(sent.get(), 10)
            rest = list(segments[1:])
            pairs: list[tuple] = []
            pending: asyncio.Future | None = None
            for _ in range(500):  # bounded: every layout ends well before
                if pending is None:
                    pending = asyncio.ensure_future(resp.content.readchunk())
                for _ in range(10):  # data already read needs no I/O: a few loop turns
                    await asyncio.sleep(0)
                if pending.done():
                    data, end = pending.result()
                    pending = None
                    pairs.append((data, end, len(segments) - len(rest)))
                    if (data, end) == (b"", False):
                        break
                    continue
                assert rest, f"reader blocked with nothing left to send: {pairs}"
                queue.put_nowait(rest.pop(0))
                await asyncio.wait_for(sent.get(), 10)
            else:
                pytest.fail("no EOF")
            queue.put_nowait(None)
            return pairs


@pytest.mark.parametrize("layout", list(LAYOUTS), ids=list(LAYOUTS))
async def test_readchunk_pairs_match_aiohttp(layout: str) -> None:
    segments = LAYOUTS[layout]
    ours = await lockstep_pairs(cyhttp, segments)
    theirs = await lockstep_pairs(aiohttp, segments)
    assert ours == theirs
    body = b"".join(data for data, _, _ in ours)
    if layout.startswith("gzip"):
        assert body == b"hello" + b"world!" * 50


async def iter_chunks_all(mod: ModuleType, data: bytes) -> list[tuple[bytes, bool]]:
    """The whole response arrives before reading (no lock-step): iter_chunks() pairs."""

    async with raw_server(canned(data)) as server, mod.ClientSession() as session:
        async with session.get(server.url) as resp:
            await resp.content.wait_eof()
            return [pair async for pair in resp.content.iter_chunks()]


@pytest.mark.parametrize("sizes", [[1], [5, 3], [1] * 50, [70000, 1, 2], [4096] * 20])
async def test_iter_chunks_whole_body_matches_aiohttp(sizes: list[int]) -> None:
    payload = [bytes([97 + i % 26]) * n for i, n in enumerate(sizes)]
    data = HEAD + b"".join(chunk(p) for p in payload) + b"0\r\n\r\n"
    ours = await iter_chunks_all(cyhttp, data)
    assert ours == await iter_chunks_all(aiohttp, data)
    assert ours == [(p, True) for p in payload]


async def test_gzip_whole_body_matches_aiohttp() -> None:
    data = GZ_HEAD + GZ_BODY
    ours = await iter_chunks_all(cyhttp, data)
    assert ours == await iter_chunks_all(aiohttp, data)
    assert b"".join(d for d, _ in ours) == b"hello" + b"world!" * 50
    assert gzip.decompress(b"".join(GZ)) == b"hello" + b"world!" * 50


async def test_mixed_reads_then_readchunk_match_aiohttp() -> None:
    """read(n) past a boundary skips it; a boundary reached exactly gives (b"", True)."""
    data = HEAD + chunk(b"abcd") + chunk(b"efgh") + chunk(b"ij") + b"0\r\n\r\n"

    async def run(mod: ModuleType) -> list:
        async with raw_server(canned(data)) as server, mod.ClientSession() as session:
            async with session.get(server.url) as resp:
                await resp.content.wait_eof()
                out: list = [await resp.content.read(6)]  # past the end of "abcd"
                out.append(await resp.content.readchunk())
                out.append(await resp.content.readexactly(2))  # exactly to "ij"'s end
                out += [await resp.content.readchunk() for _ in range(3)]
                return out

    assert await run(cyhttp) == await run(aiohttp)


@pytest.mark.parametrize("how", ["iter_chunks", "read", "iter_chunked"])
async def test_many_tiny_chunks_bounded_and_no_stall(how: str) -> None:
    """100 000 one-byte chunks: boundaries kept are bounded (pause past limit // 16 unread,
    consumed ones dropped, only the last while read() waits for EOF), and no reader
    stalls on that pause."""
    n = 100_000
    data = HEAD + b"1\r\nx\r\n" * n + b"0\r\n\r\n"

    async with raw_server(canned(data)) as server, cyhttp.ClientSession() as session:
        async with session.get(server.url) as resp:
            content = resp.content
            kept = 0
            if how == "iter_chunks":
                got, ends = bytearray(), 0
                async for piece, end in content.iter_chunks():
                    # (b"x", False) then (b"", True) where a read ended between x and CRLF
                    assert (piece, end) in ((b"x", True), (b"x", False), (b"", True))
                    got += piece
                    ends += end
                    kept = max(kept, len(content._splits))
                assert got == b"x" * n and ends == n
            elif how == "read":
                assert await asyncio.wait_for(content.read(), 30) == b"x" * n
            else:
                got = b"".join([piece async for piece in content.iter_chunked(1000)])
                assert got == b"x" * n
            kept = max(kept, len(content._splits))
            assert kept <= n // 4  # the bound plus a read's worth, far below n
            if how == "read":
                assert len(content._splits) <= 1
