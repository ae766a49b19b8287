"""Every twin pair the fuzzer drives, by name (multipart has no twins: it lives in _http)."""

from __future__ import annotations

import os
from typing import Any, Callable

from .http_targets import ChunkedTarget, RequestTarget, ResponseTarget
from .writer_target import HeadWriterTarget
from .ws_target import WSReaderTarget

TARGETS: dict[str, Callable[..., Any]] = {
    "response": ResponseTarget,
    "request": RequestTarget,
    "chunked": ChunkedTarget,
    "ws_reader": WSReaderTarget,
    "head_writer": HeadWriterTarget,
}
if os.environ.get("FUZZ_SELFTEST"):  # tests of the fuzzer itself (a crash on purpose)
    from .selftest_target import SelfTestTarget

    TARGETS["selftest"] = SelfTestTarget

__all__ = ("TARGETS",)
