"""Fuzz targets for the twins that take calls, not one byte stream: Buffer, FrameWriter, ws_mask.

* ``buffer``: a sequence of Buffer operations (feed as bytes / bytearray / memoryview,
  read, readexactly, readuntil with odd separators and limits, readline, read_all,
  clear, reserve, the get_write_buffer + commit dance, commit out of turn) with sizes at
  the edges (-1, 0, 1, the buffered length and around it).  The outcome is every call's
  result (or its exception type) plus ``len`` and ``total_bytes`` after each.
* ``ws_writer``: a FrameWriter (client or server, deflate with every window size or
  none, takeover or not; keys from a fixed counter) given a sequence of frame / close
  calls, legal and not (fragmentation out of turn, control frames over 125 bytes,
  compress flags that change mid-message, odd close codes and reasons).  The outcome is
  every frame's bytes or the exception type.
* ``ws_mask``: keys of 4 bytes and not, bytes / bytearray / memoryview data of every
  size around the SIMD block widths, read-only and multi-byte formats.

Allowed exceptions: ValueError, TypeError (and BufferLimitError from the buffer).
"""

from __future__ import annotations

import random
from array import array
from typing import Any

from cyhttp._core import (
    _buffer_c,
    _buffer_py,
    _ws_mask_c,
    _ws_mask_py,
    _ws_writer_c,
    _ws_writer_py,
)
from cyhttp._core.errors import BufferLimitError

from .engine import Escape

ALLOWED = (ValueError, TypeError, BufferLimitError)
SEPARATORS: list[Any] = [b"\n", b"\n", b"\r\n", b"ab", b"\r\n\r\n", b"x" * 9, b"", "x", None]
DATA = [b"", b"a", b"line\n", b"a\r\nb\r\n", b"ab" * 40, b"\n\n\n", bytes(range(256)),
        b"x" * 1000]


def _size(rng: random.Random, have: int) -> int:
    return rng.choice((-1, 0, 1, 2, have - 1, have, have + 1, rng.randint(0, 2 * have + 2),
                       65536, 1 << 20))


def _buffer_op(rng: random.Random, have: int) -> tuple:
    r = rng.random()
    if r < 0.3:
        data = rng.choice(DATA)
        if rng.random() < 0.3:
            data = bytes(rng.choice(b"ab\r\nx") for _ in range(rng.randint(0, 30)))
        return (rng.choice(("feed", "feed", "feed_bytearray", "feed_memoryview")), data)
    if r < 0.4:
        return ("read", _size(rng, have))
    if r < 0.5:
        return ("readexactly", _size(rng, have))
    if r < 0.65:
        return ("readuntil", rng.choice(SEPARATORS), rng.choice((0, 1, 2, 5, 10, 100, 65536)))
    if r < 0.72:
        return ("readline", rng.choice((0, 1, 3, 10, 65536, -1)))
    if r < 0.78:
        return (rng.choice(("read_all", "clear", "len")),)
    if r < 0.82:
        return ("reserve", rng.choice((-1, 0, 10, 1 << 20, 1 << 30)))
    if r < 0.95:
        hint = rng.choice((-1, 0, 1, 5, 64, 1000, 70000))
        data = bytes(rng.choice(b"ab\nx") for _ in range(rng.randint(0, 20)))
        # commit what was written, nothing, or an out-of-range count: committing window
        # bytes nobody wrote is outside the contract (their content is unspecified)
        return ("write", hint, data, rng.choice((0, "written", "written", "over", -1)))
    return ("commit", rng.choice((0, 1, -1)))


class BufferTarget:
    name = "buffer"
    split = False
    options: list[Any] = [None]
    mods = (_buffer_py, _buffer_c)

    def __init__(self, seed: int = 0, pool: int = 300) -> None:
        rng = random.Random(seed)
        self.pool = [self._ops(rng) for _ in range(pool)]

    def _ops(self, rng: random.Random) -> tuple:
        ops = []
        have = 0
        for _ in range(rng.randint(1, 14)):
            op = _buffer_op(rng, have)
            if op[0].startswith("feed"):
                have += len(op[1])
            ops.append(op)
        return tuple(ops)

    def generate(self, rng: random.Random) -> tuple[tuple, int]:
        ops = list(rng.choice(self.pool))
        for _ in range(rng.randint(0, 3)):
            r = rng.random()
            at = rng.randint(0, len(ops))
            if r < 0.5:
                ops.insert(at, _buffer_op(rng, rng.randint(0, 100)))
            elif ops and r < 0.75:
                del ops[min(at, len(ops) - 1)]
            elif ops:
                i = rng.randrange(len(ops))
                ops[i], ops[-1] = ops[-1], ops[i]
        return tuple(ops), 0

    def outcome(self, twin: int, data: tuple, chunks: Any, opts: Any) -> tuple:
        buf = self.mods[twin].Buffer()
        out: list[Any] = []
        for op in data:
            name = op[0]
            try:
                if name == "feed":
                    result: Any = buf.feed(op[1])
                elif name == "feed_bytearray":
                    result = buf.feed(bytearray(op[1]))
                elif name == "feed_memoryview":
                    result = buf.feed(memoryview(op[1]))
                elif name == "write":
                    _, hint, payload, n = op
                    view = buf.get_write_buffer(hint)
                    k = min(len(view), len(payload))
                    view[:k] = payload[:k]
                    n = k if n == "written" else len(view) + 1 if n == "over" else n
                    result = (len(view), buf.commit(n))
                elif name == "len":
                    result = len(buf)
                else:
                    result = getattr(buf, name)(*op[1:])
            except ALLOWED as exc:
                result = ("error", type(exc).__name__)
            except Exception as exc:
                raise Escape() from exc
            out.append((result, len(buf), buf.total_bytes))
        return tuple(out)


# -- the frame writer --------------------------------------------------------------------

WRITER_OPTIONS: list[dict[str, Any]] = [
    {"is_client": True}, {"is_client": False}, {"is_client": True, "compress": 15},
    {"is_client": False, "compress": 9, "notakeover": True}, {"is_client": True, "compress": 12},
    {"compress": 8}, {"compress": 16}, {"compress": True},
]
PAYLOADS = [b"", b"x", b"hello", b"a" * 125, b"a" * 126, b"b" * 65535, b"c" * 65536, "text",
            bytearray(b"ba"), memoryview(b"mv"), array("H", [1, 2]), None, 5]


def _writer_call(rng: random.Random) -> tuple:
    r = rng.random()
    if r < 0.8:
        op = rng.choice((1, 1, 2, 2, 0, 8, 9, 10, 3, 11, -1, 256))
        payload = rng.choice(PAYLOADS) if rng.random() < 0.3 else bytes(
            rng.randrange(256) for _ in range(rng.choice((0, 1, 10, 100, 200))))
        return ("frame", op, payload, rng.random() < 0.8, rng.choice((None, None, True, False)))
    code = rng.choice((1000, 1001, 1003, 1004, 1005, 1006, 1011, 1015, 2999, 3000, 4999, 5000, 0,
                       -1, True))
    message = rng.choice((b"", b"bye", "bye", "é", b"\xff", "x" * 123, "x" * 124, b"y" * 124, None))
    return ("close", code, message)


class WSWriterTarget:
    name = "ws_writer"
    split = False
    options = WRITER_OPTIONS
    mods = (_ws_writer_py, _ws_writer_c)

    def __init__(self, seed: int = 0, pool: int = 200) -> None:
        rng = random.Random(seed)
        self.pool = [tuple(_writer_call(rng) for _ in range(rng.randint(1, 6))) for _ in range(pool)]

    def generate(self, rng: random.Random) -> tuple[tuple, int]:
        calls = list(rng.choice(self.pool))
        for _ in range(rng.randint(0, 2)):
            if rng.random() < 0.6:
                calls.insert(rng.randint(0, len(calls)), _writer_call(rng))
            elif calls:
                del calls[rng.randrange(len(calls))]
        return tuple(calls), rng.randrange(len(WRITER_OPTIONS))

    def outcome(self, twin: int, data: tuple, chunks: Any, opts: Any) -> tuple:
        counter = iter(range(1 << 30))

        def keys(n: int) -> bytes:
            return bytes((next(counter) * 7 + i) & 0xFF for i in range(n))

        try:
            writer = self.mods[twin].FrameWriter(random_bytes=keys, **opts)
        except ALLOWED as exc:
            return ("error", type(exc).__name__)
        except Exception as exc:
            raise Escape() from exc
        out: list[Any] = []
        for call in data:
            try:
                if call[0] == "frame":
                    _, op, payload, fin, compress = call
                    out.append(writer.frame(op, payload, fin=fin, compress=compress))
                else:
                    out.append(writer.close_frame(call[1], call[2]))
            except ALLOWED as exc:
                out.append(("error", type(exc).__name__))
            except Exception as exc:
                raise Escape() from exc
        return tuple(out)


# -- masking -------------------------------------------------------------------------------

KEYS: list[Any] = [b"\x00\x00\x00\x00", b"\xff\xfe\xfd\xfc", b"abcd", bytearray(b"wxyz"),
                   memoryview(b"1234"), b"abc", b"abcde", b"", "abcd", None, array("I", [7])]
SIZES = [0, 1, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 191, 192, 193, 255, 256,
         1023, 1024, 4097]


class WSMaskTarget:
    name = "ws_mask"
    split = False
    options: list[Any] = [None]
    mods = (_ws_mask_py, _ws_mask_c)

    def __init__(self, seed: int = 0, pool: int = 0) -> None:
        pass

    def generate(self, rng: random.Random) -> tuple[tuple, int]:
        key = rng.choice(KEYS) if rng.random() < 0.3 else bytes(rng.randrange(256) for _ in range(4))
        size = rng.choice(SIZES) + (rng.randint(0, 3) if rng.random() < 0.3 else 0)
        data = bytes(rng.randrange(256) for _ in range(min(size, 64))) * (size // 64 + 1)
        kind = rng.choice(("bytearray", "bytearray", "memoryview", "slice", "bytes", "array",
                           "readonly"))
        return (key, data[:size], kind, rng.randint(0, 3)), 0

    def outcome(self, twin: int, data: tuple, chunks: Any, opts: Any) -> tuple:
        key, payload, kind, offset = data
        store = bytearray(payload)
        if kind == "bytearray":
            target: Any = store
        elif kind == "memoryview":
            target = memoryview(store)
        elif kind == "slice":
            target = memoryview(store)[min(offset, len(store)):]
        elif kind == "bytes":
            target = bytes(store)
        elif kind == "array":
            target = array("B", store)
        else:
            target = memoryview(bytes(store))
        try:
            self.mods[twin].ws_mask(key, target)
        except ALLOWED as exc:
            return ("error", type(exc).__name__, bytes(store))
        except Exception as exc:
            raise Escape() from exc
        return ("ok", bytes(store), bytes(target) if kind == "array" else None)


__all__ = ("BufferTarget", "WSWriterTarget", "WSMaskTarget")
