"""WebSocket masking (RFC 6455 §5.3), pure-Python twin.

How this works: no per-byte Python loop ever runs.  Small payloads: XOR with the key
repeated equals XOR of the payload, read as one big integer, with the repeated key read
the same way (one C-speed word loop).  Large payloads: every 4th byte sees the same key
byte, so each of the 4 strided slices is one ``bytes.translate`` through a 256-byte
"XOR with k" table (about 4x faster than the big-integer conversions at 1 MiB).
Anything that is not a writable, C-contiguous buffer is a TypeError, as in the C twin.
"""

from __future__ import annotations

from typing import Any

# Above this size the strided translate path wins over the big-integer path.
_TRANSLATE_MIN = 192
# _TABLES[k]: the translate table mapping byte b to b ^ k, built on first use.
_TABLES: list[bytes | None] = [None] * 256


def _table(k: int) -> bytes:
    table = _TABLES[k]
    if table is None:
        table = _TABLES[k] = bytes(b ^ k for b in range(256))
    return table


def _key(mask: Any) -> bytes:
    try:
        key = bytes(memoryview(mask).cast("B"))
    except TypeError as exc:
        raise TypeError(f"mask must be a contiguous bytes-like object: {exc}") from None
    if len(key) != 4:
        raise ValueError("mask must be 4 bytes")
    return key


def ws_mask(mask: bytes, data: bytearray | memoryview) -> None:
    """XOR ``data`` in place with the 4-byte ``mask`` key repeated."""
    key = mask if type(mask) is bytes and len(mask) == 4 else _key(mask)
    if type(data) is not bytearray:
        try:
            data = memoryview(data)
            if data.readonly:
                raise TypeError("data must be a writable buffer, not read-only")
            if data.format != "B" or data.ndim != 1:
                data = data.cast("B")  # counts bytes, not items; TypeError if not contiguous
            elif not data.c_contiguous:
                raise TypeError("data must be a contiguous writable buffer")
        except (TypeError, ValueError) as exc:
            raise TypeError(str(exc)) from None
    size = len(data)
    if not size:
        return
    if size >= _TRANSLATE_MIN:
        # memoryview has no translate and slow strided slices: work on a bytearray copy.
        work = data if type(data) is bytearray else bytearray(data)
        for phase in range(4):
            work[phase::4] = work[phase::4].translate(_table(key[phase]))
        if work is not data:
            data[:] = work
        return
    keystream = (key * ((size + 3) >> 2))[:size] if size & 3 else key * (size >> 2)
    masked = int.from_bytes(data, "little") ^ int.from_bytes(keystream, "little")
    data[:] = masked.to_bytes(size, "little")
