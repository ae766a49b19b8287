"""Buffer throughput: both twins against asyncio's and aiohttp's StreamReader, in one run.

Three workloads, each starting from an empty reader:
  * feed 1 MiB in 16 KiB pieces, then read everything (read_all / read(-1) after EOF);
  * feed 10,000 lines of 80 bytes (in 16 KiB pieces), then readline 10,000 times;
  * feed 1 MiB in 16 KiB pieces, then read(4096) until empty.
The references run their coroutines on one event loop (run_until_complete once per
round; data is always there, so no await ever suspends).

Run: .venv/bin/python -m pytest bench/micro/test_bench_buffer.py --benchmark-enable -q
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from cyhttp._core import _buffer_c, _buffer_py

PIECE = 16 * 1024
BODY = bytes(range(256)) * 4096  # 1 MiB
LINES = b"".join(b"%05d" % i + b"x" * 74 + b"\n" for i in range(10_000))  # 80-byte lines


def pieces(data: bytes) -> list[bytes]:
    return [data[i : i + PIECE] for i in range(0, len(data), PIECE)]


BODY_PIECES = pieces(BODY)
LINE_PIECES = pieces(LINES)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


# -- ours -------------------------------------------------------------------------


def ours(mod, workload: str) -> Callable[[], int]:
    Buffer = mod.Buffer

    def read_all() -> int:
        buf = Buffer()
        for piece in BODY_PIECES:
            buf.feed(piece)
        return len(buf.read_all())

    def readline() -> int:
        buf = Buffer()
        for piece in LINE_PIECES:
            buf.feed(piece)
        readline = buf.readline
        n = 0
        for _ in range(10_000):
            n += len(readline())
        return n

    def read4k() -> int:
        buf = Buffer()
        for piece in BODY_PIECES:
            buf.feed(piece)
        read = buf.read
        n = 0
        while chunk := read(4096):
            n += len(chunk)
        return n

    return {"read_all": read_all, "readline": readline, "read4k": read4k}[workload]


# -- references -------------------------------------------------------------------


def reference(kind: str, workload: str, loop: asyncio.AbstractEventLoop) -> Callable[[], int]:
    if kind == "asyncio":

        def make() -> asyncio.StreamReader:
            return asyncio.StreamReader(limit=2**20, loop=loop)

    else:
        from aiohttp.base_protocol import BaseProtocol
        from aiohttp.streams import StreamReader

        protocol = BaseProtocol(loop)

        def make():  # limit high enough that it never asks the protocol to pause
            return StreamReader(protocol, 2**24, loop=loop)

    async def read_all() -> int:
        reader = make()
        for piece in BODY_PIECES:
            reader.feed_data(piece)
        reader.feed_eof()
        return len(await reader.read())

    async def readline() -> int:
        reader = make()
        for piece in LINE_PIECES:
            reader.feed_data(piece)
        reader.feed_eof()
        n = 0
        for _ in range(10_000):
            n += len(await reader.readline())
        return n

    async def read4k() -> int:
        reader = make()
        for piece in BODY_PIECES:
            reader.feed_data(piece)
        reader.feed_eof()
        n = 0
        while chunk := await reader.read(4096):
            n += len(chunk)
        return n

    coro = {"read_all": read_all, "readline": readline, "read4k": read4k}[workload]
    return lambda: loop.run_until_complete(coro())


EXPECTED = {"read_all": len(BODY), "readline": len(LINES), "read4k": len(BODY)}
TITLES = {
    "read_all": "feed 1 MiB in 16 KiB pieces + read all",
    "readline": "readline x 10,000 (80-byte lines)",
    "read4k": "1 MiB via read(4096)",
}


@pytest.mark.parametrize("workload", ["read_all", "readline", "read4k"])
@pytest.mark.parametrize("impl", ["py", "c", "asyncio", "aiohttp"])
def test_buffer(benchmark, loop, impl: str, workload: str) -> None:
    if impl in ("py", "c"):
        run = ours({"py": _buffer_py, "c": _buffer_c}[impl], workload)
    else:
        run = reference(impl, workload, loop)
    benchmark.group = TITLES[workload]
    assert benchmark(run) == EXPECTED[workload]
