"""A target that crashes on purpose: proves a dying child is caught, replayed and minimised.

Registered only when ``FUZZ_SELFTEST`` is set (``crash`` or ``hang``: that marker only).  Inputs are random bytes; when one holds
DE AD and is fed in pieces, the "compiled twin" reads address 0 (SIGSEGV); BE EF makes it
spin forever (a hang).
"""

from __future__ import annotations

import ctypes
import os
import random
from typing import Any


class SelfTestTarget:
    name = "selftest"
    split = True
    options: list[Any] = [None]

    def __init__(self, seed: int = 0, pool: int = 0) -> None:
        mode = os.environ.get("FUZZ_SELFTEST", "")
        self.markers = {"crash": (b"\xde\xad",), "hang": (b"\xbe\xef",)}.get(
            mode, (b"\xde\xad", b"\xbe\xef"))

    def generate(self, rng: random.Random) -> tuple[bytes, int]:
        data = bytes(rng.randrange(97, 123) for _ in range(rng.randint(10, 40)))  # a-z
        if rng.random() < 0.002:
            at = rng.randint(0, len(data))
            data = data[:at] + rng.choice(self.markers) + data[at:]
        return data, 0

    def outcome(self, twin: int, data: bytes, chunks: list[bytes] | None, opts: Any) -> tuple:
        if twin == 1 and chunks is not None and len(chunks) > 1:
            if b"\xde\xad" in data:
                ctypes.string_at(0)
            if b"\xbe\xef" in data:
                while True:
                    pass
        return ("ok", len(data))
