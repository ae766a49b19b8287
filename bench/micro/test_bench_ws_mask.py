"""WebSocket masking throughput: both twins against aiohttp's mask, in one run.

Sizes 16 B (a typical small frame: call overhead), 1 KiB and 1 MiB (bandwidth), each
masking one preallocated bytearray in place.  References: aiohttp's compiled
``_websocket_mask_cython`` and its pure-Python ``_websocket_mask_python``.
``extra_info["bytes"]`` lets GB/s be computed from the mean (bytes / mean seconds).

Run: .venv/bin/python -m pytest bench/micro/test_bench_ws_mask.py --benchmark-enable -q
"""

from __future__ import annotations

import os
from typing import Callable

import pytest

from cyhttp._core import _ws_mask_c, _ws_mask_py

IMPLS: dict[str, Callable[[bytes, bytearray], None]] = {
    "cyhttp-c": _ws_mask_c.ws_mask,
    "cyhttp-py": _ws_mask_py.ws_mask,
}
try:
    from aiohttp._websocket.helpers import (
        _websocket_mask_cython,
        _websocket_mask_python,
    )

    IMPLS["aiohttp-c"] = _websocket_mask_cython
    IMPLS["aiohttp-py"] = _websocket_mask_python
except ImportError:  # pragma: no cover - aiohttp layout changed
    pass

SIZES = {"16B": 16, "1KiB": 1024, "1MiB": 1 << 20}
KEY = os.urandom(4)


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
@pytest.mark.parametrize("impl", list(IMPLS), ids=list(IMPLS))
def test_mask(benchmark, impl: str, size: str) -> None:
    n = SIZES[size]
    data = bytearray(os.urandom(n))
    mask = IMPLS[impl]
    benchmark.group = f"ws_mask {size}"
    benchmark.extra_info["bytes"] = n
    benchmark(mask, KEY, data)
    # Sanity: masking is an involution, whatever count of rounds ran.
    probe = bytearray(data)
    mask(KEY, probe)
    mask(KEY, probe)
    assert probe == data
