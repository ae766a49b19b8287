"""Raw peers that misbehave on purpose: each case maps to aiohttp's exception type."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import pytest

import cyhttp

from ._peers import canned, raw_server, read_head


def closer(data: bytes | tuple[bytes, ...]):
    """Answer the first request with ``data`` (parts sent apart) and close the connection."""
    parts = data if isinstance(data, tuple) else (data,)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        for part in parts:
            if part:
                writer.write(part)
                await writer.drain()
                await asyncio.sleep(0.01)

    return handler


CASES = [
    # (name, bytes then close, exception raised by get(), exception raised by read())
    ("close-before-head", b"", cyhttp.ServerDisconnectedError, None),
    ("close-mid-status", b"HTTP/1.1 20", cyhttp.ServerDisconnectedError, None),
    ("close-mid-head", b"HTTP/1.1 200 OK\r\nContent-Len", cyhttp.ServerDisconnectedError, None),
    ("close-mid-body", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", None, cyhttp.ClientPayloadError),
    ("close-mid-chunk", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", None,
     cyhttp.ClientPayloadError),
    ("close-mid-chunk-size", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n", None,
     cyhttp.ClientPayloadError),
    ("garbage-status", b"garbage garbage\r\n\r\n", cyhttp.ClientResponseError, None),
    ("bad-version", b"HTTP/2.0 200 OK\r\n\r\n", cyhttp.ClientResponseError, None),
    ("bad-header", b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", cyhttp.ClientResponseError, None),
    ("cl-and-te", b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
     cyhttp.ClientResponseError, None),
    ("bad-chunk-size", (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"zz\r\n"), None,
     cyhttp.ClientPayloadError),
    ("truncated-gzip", b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (
        len(gzip.compress(b"a" * 1000)[:-8]), gzip.compress(b"a" * 1000)[:-8]), None, cyhttp.ClientPayloadError),
    ("corrupt-deflate", b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\nContent-Length: 6\r\n\r\nxxxxxx",
     None, cyhttp.ClientPayloadError),
]


@pytest.mark.parametrize(("name", "data", "get_exc", "read_exc"), CASES, ids=[c[0] for c in CASES])
async def test_broken_peer(name: str, data: bytes, get_exc: type | None, read_exc: type | None) -> None:
    async with raw_server(closer(data)) as srv:
        async with cyhttp.ClientSession() as session:
            if get_exc is not None:
                with pytest.raises(get_exc):
                    await session.get(srv.url / "x")
                return
            async with session.get(srv.url / "x") as resp:
                with pytest.raises(read_exc):
                    await resp.read()


async def test_until_eof_body_ends_at_close() -> None:
    async with raw_server(closer(b"HTTP/1.1 200 OK\r\n\r\nall of it")) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "x") as resp:
                assert await resp.read() == b"all of it"


async def test_read_until_eof_false_gives_empty_body() -> None:
    async with raw_server(closer(b"HTTP/1.1 200 OK\r\n\r\nall of it")) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "x", read_until_eof=False) as resp:
                assert await resp.read() == b""


async def test_oversized_head() -> None:
    big = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 9000 + b"\r\nContent-Length: 0\r\n\r\n"
    async with raw_server(canned(big)) as srv:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.ClientResponseError) as info:
                await session.get(srv.url / "x")
            assert info.value.status == 400
            # a larger limit accepts it
            async with session.get(srv.url / "x", max_field_size=9100) as resp:
                assert resp.headers["X-Big"] == "a" * 9000


async def test_too_many_headers() -> None:
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(129)) + b"Content-Length: 0\r\n\r\n"
    async with raw_server(canned(head)) as srv:
        async with cyhttp.ClientSession() as session:
            with pytest.raises(cyhttp.ClientResponseError):
                await session.get(srv.url / "x")


async def test_slow_drip_head_and_body() -> None:
    payload = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello"

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        for i in range(len(payload)):
            writer.write(payload[i:i + 1])
            await writer.drain()
            await asyncio.sleep(0)
        await reader.read()

    async with raw_server(drip) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "x") as resp:
                assert resp.headers["X-A"] == "b"
                assert await resp.read() == b"hello"


async def test_100_continue_then_final_and_103_skipped() -> None:
    data = (b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    async with raw_server(canned(data)) as srv:
        async with cyhttp.ClientSession() as session:
            async with session.get(srv.url / "x") as resp:
                assert resp.status == 200
                assert await resp.read() == b"ok"


async def test_gzip_deflate_decoding_and_auto_decompress_off() -> None:
    raw = b"spam and eggs " * 1000
    bodies = {
        b"gzip": gzip.compress(raw),
        b"deflate": zlib.compress(raw),
    }
    responses = [
        b"HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %d\r\n\r\n%s" % (enc, len(body), body)
        for enc, body in bodies.items()
    ]
    chunked_gzip = gzip.compress(raw)
    responses.append(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"%x\r\n%s\r\n" % (len(chunked_gzip[i:i + 100]), chunked_gzip[i:i + 100])
                   for i in range(0, len(chunked_gzip), 100))
        + b"0\r\n\r\n"
    )
    responses.append(responses[0])
    async with raw_server(canned(*responses)) as srv:
        async with cyhttp.ClientSession() as session:
            for _ in range(3):
                async with session.get(srv.url / "x") as resp:
                    assert await resp.read() == raw
            async with session.get(srv.url / "x", auto_decompress=False) as resp:
                assert await resp.read() == bodies[b"gzip"]
    assert srv.accepted == 1


async def test_brotli_and_zstd() -> None:
    from cyhttp._http import compression

    raw = b"brotli zstd " * 500
    responses = []
    if compression.HAS_BROTLI:
        import brotli

        body = brotli.compress(raw)
        responses.append(b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    if compression.HAS_ZSTD:
        import zstandard

        body = zstandard.ZstdCompressor().compress(raw)
        responses.append(b"HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    if not responses:
        pytest.skip("neither brotli nor zstd installed")
    async with raw_server(canned(*responses)) as srv:
        async with cyhttp.ClientSession() as session:
            for _ in responses:
                async with session.get(srv.url / "x") as resp:
                    assert await resp.read() == raw


async def test_bounded_inflation_under_flow_control() -> None:
    """A gzip bomb read slowly: the decoded bytes buffered stay bounded."""
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_head(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb))
        writer.write(bomb)
        await writer.drain()
        await reader.read()

    async with raw_server(handler) as srv:
        async with cyhttp.ClientSession(read_bufsize=2**16) as session:
            async with session.get(srv.url / "x") as resp:
                peak = 0
                for _ in range(50):
                    chunk = await resp.content.read(2**16)
                    assert chunk
                    peak = max(peak, len(resp.content._buffer))
                # high water 128 KiB + one decoder step (256 KiB)
                assert peak <= 2 * 2**16 + 256 * 1024 + 2**16
