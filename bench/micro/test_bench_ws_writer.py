"""WebSocket frame writer: a masked 16-byte and a masked 64 KiB binary frame.

Ours: ``FrameWriter(is_client=True).frame(BINARY, payload)`` for both twins (returns the
frame's bytes).  Reference: aiohttp's ``WebSocketWriter`` needs a transport, so it gets a
minimal sink whose ``write`` keeps the last buffer, and we call its synchronous
``_write_websocket_frame`` (private; header + mask + masked payload + one write), which is
the same work without the event loop.  Also a permessage-deflate 64 KiB case for ours.

Run: .venv/bin/python -m pytest bench/micro/test_bench_ws_writer.py --benchmark-enable -q
"""

from __future__ import annotations

import os
from typing import Callable

import pytest

from cyhttp._core import _ws_writer_c, _ws_writer_py

SIZES = {"16B": 16, "64KiB": 64 * 1024}
BINARY = 0x2


class _Sink:
    """Just enough of asyncio.Transport for aiohttp's writer."""

    last: bytes = b""

    def write(self, data: bytes) -> None:
        self.last = data

    def is_closing(self) -> bool:
        return False


def _aiohttp_frame() -> Callable[[bytes], object] | None:
    try:
        from aiohttp._websocket.writer import WebSocketWriter
    except ImportError:  # pragma: no cover - aiohttp layout changed
        return None
    writer = WebSocketWriter(None, _Sink(), use_mask=True)  # type: ignore[arg-type]
    write = writer._write_websocket_frame
    return lambda payload: write(payload, BINARY, 0)


def _ours(module, **kwargs) -> Callable[[bytes], object]:
    frame = module.FrameWriter(is_client=True, **kwargs).frame
    return lambda payload: frame(BINARY, payload)


IMPLS: dict[str, Callable[[], Callable[[bytes], object] | None]] = {
    "cyhttp-c": lambda: _ours(_ws_writer_c),
    "cyhttp-py": lambda: _ours(_ws_writer_py),
    "aiohttp": _aiohttp_frame,
}


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
@pytest.mark.parametrize("impl", list(IMPLS), ids=list(IMPLS))
def test_frame(benchmark, impl: str, size: str) -> None:
    send = IMPLS[impl]()
    if send is None:
        pytest.skip("aiohttp's writer is not importable")
    payload = os.urandom(SIZES[size])
    benchmark.group = f"ws_writer {size}"
    benchmark.extra_info["bytes"] = len(payload)
    benchmark(send, payload)


@pytest.mark.parametrize("impl", ["cyhttp-c", "cyhttp-py"])
def test_frame_deflate(benchmark, impl: str) -> None:
    module = _ws_writer_c if impl == "cyhttp-c" else _ws_writer_py
    send = _ours(module, compress=15)
    payload = (b"websocket deflate benchmark payload, fairly repetitive text. " * 1100)[: 64 * 1024]
    benchmark.group = "ws_writer 64KiB deflate"
    benchmark(send, payload)
