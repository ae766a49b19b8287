"""WebSocket frame writer (RFC 6455 §5, RFC 7692 permessage-deflate), pure-Python twin.

Sans-IO: every call returns the complete bytes of one frame; the session layer writes them.
"""

# How this works:
#   frame() checks the opcode against the fragmentation state (a data message is TEXT/BINARY
#   then CONTINUATIONs until fin; control frames may interleave), optionally deflates the
#   payload, then packs  FIN|RSV1|opcode, MASK|length (7, 7+16 or 7+64 bits), the 4-byte key
#   (client side only) and the payload XORed with that key.
#   Keys come from a 4096-byte os.urandom pool per writer (1024 frames per syscall), or from
#   the caller's ``random_bytes`` (tests use it for fixed keys).
#   Deflate: one raw-deflate compressor per writer; each frame ends with a sync flush so the
#   receiver can inflate it at once, and the final frame of a message drops the 00 00 ff ff
#   tail (RFC 7692 §7.2.1).  With no_context_takeover the final flush is a FULL flush, which
#   resets the window: the next message never refers back, without a new compressor.

from __future__ import annotations

import operator
import os
import struct
import zlib
from typing import Callable

from ._ws_mask_py import ws_mask

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA

MAX_CONTROL_PAYLOAD = 125
_POOL_SIZE = 4096
_DEFLATE_TAIL = b"\x00\x00\xff\xff"
# Fast over small: WebSocket messages are latency-bound; level 1 keeps most of the ratio.
_DEFLATE_LEVEL = zlib.Z_BEST_SPEED

_pack_short = struct.Struct("!BBH").pack
_pack_long = struct.Struct("!BBQ").pack


def _valid_close_code(code: int) -> bool:
    # RFC 6455 §7.4: 1004-1006 and 1015 must never be sent; 1016-2999 are unassigned.
    return (1000 <= code <= 1014 and code not in (1004, 1005, 1006)) or 3000 <= code <= 4999


def _as_bytes_view(payload: object) -> memoryview:
    """A flat byte view of any C-contiguous buffer; TypeError for anything else."""
    try:
        view = memoryview(payload)  # type: ignore[arg-type]
        if view.format != "B" or view.ndim != 1:
            view = view.cast("B")
        elif not view.c_contiguous:
            raise TypeError("payload must be a contiguous bytes-like object")
    except (TypeError, ValueError) as exc:
        raise TypeError(str(exc)) from None
    return view


class FrameWriter:
    """Builds WebSocket frames: header, masking key and masked (optionally deflated) payload."""

    __slots__ = (
        "_is_client",
        "_compress",
        "_notakeover",
        "_random_bytes",
        "_compressor",
        "_pool",
        "_pool_pos",
        "_fragmenting",
        "_msg_compressed",
    )

    def __init__(
        self,
        *,
        is_client: bool = True,
        compress: int = 0,
        notakeover: bool = False,
        random_bytes: Callable[[int], bytes] | None = None,
    ) -> None:
        compress = operator.index(compress)
        if compress and not 9 <= compress <= 15:
            raise ValueError("compress must be 0 or a window size of 9..15 bits")
        self._is_client = bool(is_client)
        self._compress = compress
        self._notakeover = bool(notakeover)
        self._random_bytes = random_bytes
        self._compressor: zlib._Compress | None = None
        self._pool = b""
        self._pool_pos = 0
        self._fragmenting = False  # a data message was started with fin=False
        self._msg_compressed = False  # ...and whether it is deflated

    def frame(
        self,
        opcode: int,
        payload: bytes | bytearray | memoryview,
        *,
        fin: bool = True,
        compress: bool | None = None,
    ) -> bytes:
        """One complete frame; ValueError for a frame the protocol does not allow."""
        data = _as_bytes_view(payload)
        opcode = operator.index(opcode)
        if opcode >= OP_CLOSE:
            if opcode > OP_PONG:
                raise ValueError(f"invalid opcode {opcode:#x}")
            if not fin:
                raise ValueError("control frames cannot be fragmented")
            if len(data) > MAX_CONTROL_PAYLOAD:
                raise ValueError("control frame payload must be at most 125 bytes")
            return self._build(0x80 | opcode, data)
        if opcode == OP_CONTINUATION:
            if not self._fragmenting:
                raise ValueError("CONTINUATION frame without a fragmented message in progress")
            deflate = self._msg_compressed
            if compress is not None and bool(compress) != deflate:
                raise ValueError("compress must stay the same for all frames of a message")
            first_byte = OP_CONTINUATION
        elif opcode == OP_TEXT or opcode == OP_BINARY:
            if self._fragmenting:
                raise ValueError("previous fragmented message is not finished")
            if compress is None:
                deflate = self._compress != 0
            elif compress and not self._compress:
                raise ValueError("compress=True on a writer without permessage-deflate")
            else:
                deflate = bool(compress)
            first_byte = opcode | 0x40 if deflate else opcode
        else:
            raise ValueError(f"invalid opcode {opcode:#x}")
        if deflate:
            data = memoryview(self._deflate(data, fin))
        frame = self._build(first_byte | 0x80 if fin else first_byte, data)
        self._fragmenting = not fin
        self._msg_compressed = deflate
        return frame

    def close_frame(self, code: int = 1000, message: bytes | str = b"") -> bytes:
        """A CLOSE frame carrying ``code`` and a UTF-8 ``message`` (at most 123 bytes)."""
        code = operator.index(code)
        if not _valid_close_code(code):
            raise ValueError(f"invalid close code {code}")
        if isinstance(message, str):
            reason = message.encode("utf-8")
        else:
            reason = bytes(_as_bytes_view(message))
            try:
                reason.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError("close message must be valid UTF-8") from None
        if len(reason) > MAX_CONTROL_PAYLOAD - 2:
            raise ValueError("close message must be at most 123 bytes")
        return self.frame(OP_CLOSE, code.to_bytes(2, "big") + reason)

    def _deflate(self, data: memoryview, fin: bool) -> bytes:
        compressor = self._compressor
        if compressor is None:
            compressor = self._compressor = zlib.compressobj(
                _DEFLATE_LEVEL, zlib.DEFLATED, -self._compress
            )
        mode = zlib.Z_FULL_FLUSH if fin and self._notakeover else zlib.Z_SYNC_FLUSH
        out = compressor.compress(data) + compressor.flush(mode)
        # A sync/full flush always ends with the empty stored block 00 00 ff ff.
        return out[:-4] if fin else out

    def _key(self) -> bytes:
        if self._random_bytes is not None:
            key = bytes(self._random_bytes(4))
            if len(key) != 4:
                raise ValueError("random_bytes(4) must return 4 bytes")
            return key
        pos = self._pool_pos
        if pos >= len(self._pool):
            self._pool = os.urandom(_POOL_SIZE)
            pos = 0
        self._pool_pos = pos + 4
        return self._pool[pos : pos + 4]

    def _build(self, first_byte: int, data: memoryview) -> bytes:
        size = len(data)
        mask_bit = 0x80 if self._is_client else 0
        if size < 126:
            header = bytes((first_byte, mask_bit | size))
        elif size < 65536:
            header = _pack_short(first_byte, mask_bit | 126, size)
        else:
            header = _pack_long(first_byte, mask_bit | 127, size)
        if not mask_bit:
            return header + data
        key = self._key()
        body = bytearray(data)
        ws_mask(key, body)
        return b"".join((header, key, body))
