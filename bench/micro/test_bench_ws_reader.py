"""WebSocket frame reader throughput: both twins against aiohttp's compiled reader, one run.

Workloads (server -> client frames, unmasked, no compression):
  * small: 10,000 TEXT frames of 16 bytes fed as one block (msgs/s);
  * big:   one 1 MiB BINARY frame fed as one block (GB/s), and fed in 64 KiB reads.
The reference is ``aiohttp._websocket.reader_c.WebSocketReader`` with a real
``WebSocketDataQueue`` over a real ``BaseProtocol`` (an event loop is created but never
run: feed_data only appends to the queue).  The queue limit is set high enough that
the reader never stalls.  Every round gets a fresh reader, made in an untimed setup.

Run: .venv/bin/python -m pytest bench/micro/test_bench_ws_reader.py --benchmark-enable -q
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator

import pytest

from cyhttp._core import _ws_reader_c, _ws_reader_py

N_SMALL = 10_000
SMALL = (bytes([0x81, 16]) + b"0123456789abcdef") * N_SMALL
BIG_PAYLOAD = os.urandom(1 << 20)
BIG = bytes([0x82, 127]) + len(BIG_PAYLOAD).to_bytes(8, "big") + BIG_PAYLOAD
BIG_PIECES = [BIG[i : i + 65536] for i in range(0, len(BIG), 65536)]
WORKLOADS = {"small16x10k": ([SMALL], N_SMALL), "binary1MiB": ([BIG], 1),
             "binary1MiB-64KiB-reads": (BIG_PIECES, 1)}


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def ours(mod, data: bytes, count: int) -> Callable[[], tuple]:
    def setup() -> tuple:
        return (mod.FrameReader().feed, data, count), {}

    return setup


def aiohttp_reader(loop, data: bytes, count: int) -> Callable[[], tuple]:
    from aiohttp._websocket.reader_c import WebSocketDataQueue, WebSocketReader
    from aiohttp.base_protocol import BaseProtocol

    def setup() -> tuple:
        queue = WebSocketDataQueue(BaseProtocol(loop), 1 << 30, loop=loop)
        reader = WebSocketReader(queue, 4 * 1024 * 1024, False, True)
        return (reader.feed_data, data, count), {}

    return setup


def parse(feed, pieces: list[bytes], count: int) -> None:
    for piece in pieces:
        feed(piece)


@pytest.mark.parametrize("workload", list(WORKLOADS))
@pytest.mark.parametrize("impl", ["py", "c", "aiohttp"])
def test_ws_reader(benchmark, loop, impl, workload):
    data, count = WORKLOADS[workload]
    if impl == "aiohttp":
        fn = aiohttp_reader(loop, data, count)
    else:
        fn = ours({"py": _ws_reader_py, "c": _ws_reader_c}[impl], data, count)
    benchmark.group = f"ws_reader-{workload}"
    # A fresh reader per round (made in setup, not timed), so every round is alike.
    benchmark.pedantic(parse, setup=fn, rounds=200 if count > 1 else 1000, warmup_rounds=5)
    if benchmark.stats is not None:
        mean = benchmark.stats.stats.mean
        benchmark.extra_info["msgs_per_s"] = round(count / mean)
        benchmark.extra_info["GB_per_s"] = round(sum(map(len, data)) / mean / 1e9, 3)
