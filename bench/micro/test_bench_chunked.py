"""Chunked decode throughput: both twins and aiohttp's compiled parser, in one run.

1 MiB of payload encoded in 4 KiB and in 64-byte chunks, fed in 64 KiB blocks.
Reference: ``aiohttp._http_parser.HttpResponseParser`` (llhttp) decoding the same body
after a minimal response head, with a real ``BaseProtocol`` and loop (not run) behind it.
Budget (compiled twin): ≥ 1 GB/s with 4 KiB chunks, ≥ 0.3 GB/s with 64-byte chunks.

Run: .venv/bin/python -m pytest bench/micro/test_bench_chunked.py --benchmark-enable -q
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from cyhttp._core import _chunked_c, _chunked_py
from cyhttp._core.events import EndOfMessage

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB
BLOCK = 64 * 1024
HEAD = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"


def encode(payload: bytes, chunk: int) -> bytes:
    parts = []
    for i in range(0, len(payload), chunk):
        piece = payload[i:i + chunk]
        parts.append(b"%x\r\n%s\r\n" % (len(piece), piece))
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


def blocks(data: bytes) -> list[bytes]:
    return [data[i:i + BLOCK] for i in range(0, len(data), BLOCK)]


def ours(mod) -> Callable[[list[bytes]], int]:
    decoder = mod.ChunkedDecoder()

    def run(feed: list[bytes]) -> int:
        decoder.reset()
        total = 0
        for block in feed:
            for piece in decoder.feed(block):
                if piece.__class__ is bytes:
                    total += len(piece)
        assert decoder.done
        return total

    return run


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def aiohttp_parser(loop: asyncio.AbstractEventLoop) -> Callable[[list[bytes]], int]:
    from aiohttp._http_parser import HttpResponseParser
    from aiohttp.base_protocol import BaseProtocol

    protocol = BaseProtocol(loop)

    def run(feed: list[bytes]) -> int:
        # A fresh parser per body (llhttp keeps message state); limit high enough that
        # the StreamReader never asks to pause.
        parser = HttpResponseParser(protocol, loop, 2**24)
        messages, _, _ = parser.feed_data(HEAD)
        payload = messages[0][1]
        for block in feed:
            parser.feed_data(block)
        assert payload.is_eof()
        return payload.total_bytes

    return run


@pytest.mark.parametrize("chunk", [4096, 64], ids=["4KiB-chunks", "64B-chunks"])
@pytest.mark.parametrize("impl", ["py", "c", "aiohttp"])
def test_decode_1mib(benchmark, loop, impl: str, chunk: int) -> None:
    feed = blocks(encode(PAYLOAD, chunk))
    run = {"py": lambda: ours(_chunked_py), "c": lambda: ours(_chunked_c),
           "aiohttp": lambda: aiohttp_parser(loop)}[impl]()
    benchmark.group = f"chunked decode 1 MiB, {chunk}-byte chunks, 64 KiB blocks"
    assert benchmark(run, feed) == len(PAYLOAD)
    seconds = benchmark.stats.stats.min
    benchmark.extra_info["GB/s (best)"] = round(len(PAYLOAD) / seconds / 1e9, 3)
    print(f"\n{impl:8} {chunk:5}-byte chunks: {len(PAYLOAD) / seconds / 1e9:.3f} GB/s (best)")


def test_result_matches_reference(loop) -> None:
    """Sanity: the benchmarked decoders agree on the payload."""
    feed = blocks(encode(PAYLOAD, 64))
    for mod in (_chunked_py, _chunked_c):
        dec = mod.ChunkedDecoder()
        out = [p for b in feed for p in dec.feed(b)]
        assert isinstance(out[-1], EndOfMessage)
        assert b"".join(out[:-1]) == PAYLOAD
    assert aiohttp_parser(loop)(feed) == len(PAYLOAD)
