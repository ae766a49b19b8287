"""WebSocket masking (RFC 6455 §5.3), pure-Python twin.

How this works: XOR with a 4-byte key repeated over the payload equals XOR of the
payload, read as one big integer, with the key repeated to the same length.  Python's
arbitrary-size integers do that in C-speed word loops, so no per-byte Python loop runs.
"""

from __future__ import annotations


def ws_mask(mask: bytes, data: bytearray | memoryview) -> None:
    """XOR ``data`` in place with the 4-byte ``mask`` key repeated."""
    if len(mask) != 4:
        raise ValueError("mask must be 4 bytes")
    size = len(data)
    if not size:
        return
    keystream = (bytes(mask) * ((size + 3) // 4))[:size]
    masked = int.from_bytes(data, "little") ^ int.from_bytes(keystream, "little")
    data[:] = masked.to_bytes(size, "little")
