"""Every twin pair the fuzzer drives, by name (multipart has no twins: it lives in _http).

The five that take hostile bytes (parsers, chunked decoder, WebSocket reader) and the head
writer are the point; buffer, ws_writer and ws_mask take calls and are cheap to cover."""

from __future__ import annotations

import os
from typing import Any, Callable

from .http_targets import ChunkedTarget, RequestTarget, ResponseTarget
from .misc_targets import BufferTarget, WSMaskTarget, WSWriterTarget
from .writer_target import HeadWriterTarget
from .ws_target import WSReaderTarget

TARGETS: dict[str, Callable[..., Any]] = {
    "response": ResponseTarget,
    "request": RequestTarget,
    "chunked": ChunkedTarget,
    "ws_reader": WSReaderTarget,
    "head_writer": HeadWriterTarget,
    "buffer": BufferTarget,
    "ws_writer": WSWriterTarget,
    "ws_mask": WSMaskTarget,
}
if os.environ.get("FUZZ_SELFTEST"):  # tests of the fuzzer itself (a crash on purpose)
    from .selftest_target import SelfTestTarget

    TARGETS["selftest"] = SelfTestTarget

__all__ = ("TARGETS",)
