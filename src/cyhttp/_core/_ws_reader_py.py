"""WebSocket frame reader (RFC 6455, permessage-deflate RFC 7692), pure-Python twin.

``FrameReader.feed(bytes)`` returns the complete messages the bytes finish, with the
values aiohttp 3.14 delivers: TEXT -> ``str`` (``bytes`` with ``decode_text=False``),
BINARY / PING / PONG -> ``bytes``, CLOSE -> ``(code, reason)`` with code 0 and reason ""
for an empty close payload; ``extra`` is "" for the non-close types, as in aiohttp.

Decisions (identical in the compiled twin; where aiohttp differs, it is named):
- After a CLOSE frame the reader is closed: every further byte is ignored (RFC 6455
  §5.5.1: nothing may follow a Close), ``feed`` returns [].
- A 64-bit length with the top bit set is a protocol error (1002; aiohttp: 1009).
- ``max_msg_size`` (0 = unlimited) bounds the message as delivered, the sum of the
  fragments or the inflated size; exactly ``max_msg_size`` is accepted (aiohttp
  refuses an uncompressed message of exactly that size).  The wire size of a
  compressed message is bounded by ``max_msg_size + max_msg_size // 1024 + 1024``
  (deflate's worst-case growth), so a frame that inflates to nothing still ends.
- TEXT is validated even with ``decode_text=False`` (RFC 6455 §8.1; aiohttp skips it).
- Close codes 1004-1006, 1015, < 1000, 1016-2999, >= 5000 are 1002 (aiohttp lets
  1006 and >= 5000 through); RSV1 on a control frame is 1002 (aiohttp ignores it).
- Corrupt deflate data, or data after the end of a deflate stream, is 1002 (aiohttp:
  zlib's error escapes as a non-WebSocket error, so the user gets ERROR and close_code
  1006).  As in aiohttp, a compressed message is judged whole: inflation errors
  (corrupt data 1002, over ``max_msg_size`` 1009), whichever comes first in the
  stream, outrank invalid UTF-8 in its text (1007), which is only checked once the
  whole message inflated.  So the code never depends on how the bytes were split
  (zlib drops the output of a call that fails, so a streamed check could not be).
- On an error ``feed`` raises at once; the messages the same call completed before the
  error ride on the exception as ``exc.messages`` (and ``exc.events``, as for every
  engine parser).  Later calls raise a new error of the
  same type and args (with ``messages == []``).
"""

# How this works: a frame header (2-14 bytes) is parsed straight from the fed bytes;
# only when a header is split across feeds are its first bytes kept (``_hdr``).  Each
# header byte is validated as soon as it is seen, so a bad frame fails early.  Payload
# is streamed: data-frame bytes are unmasked, inflated (with a ``max_length`` that is
# one byte over the remaining budget, so a deflate bomb stops at once) and UTF-8
# validated chunk by chunk as they arrive, then appended to the open message (the text
# of a compressed message is validated once, at its end: see the decisions above).  Control
# frames (at most 125 bytes) are collected whole; they may sit between the fragments of
# a data message without touching its state.  The common case, a whole unmasked,
# uncompressed, unfragmented frame inside one feed, is a single slice.

from __future__ import annotations

from typing import Any

from ._ws_payload_py import Inflater, TextDecoder, control_message, plain_message, unmask
from .errors import WSMessageTooBig, WSProtocolError
from .ws_types import WSMessage, WSMsgType

_TEXT = WSMsgType.TEXT
_BINARY = WSMsgType.BINARY
_new = tuple.__new__


def _bad(message: str) -> WSProtocolError:
    return WSProtocolError(1002, message)


class FrameReader:
    """WebSocket frames in, complete messages out (sans-IO)."""

    def __init__(
        self,
        *,
        max_msg_size: int = 4 * 1024 * 1024,
        compress: bool = False,
        server_window_bits: int = 15,
        server_notakeover: bool = False,
        decode_text: bool = True,
        expect_masked: bool = False,
    ) -> None:
        if not 0 <= max_msg_size < 1 << 63:
            raise ValueError("max_msg_size must be in 0..2**63-1")
        if not 8 <= server_window_bits <= 15:
            raise ValueError("server_window_bits must be in 8..15")
        self._max = max_msg_size
        self._wire_max = max_msg_size + max_msg_size // 1024 + 1024 if max_msg_size else 0
        self._compress = compress
        self._inflater = Inflater(server_window_bits, server_notakeover, max_msg_size)
        self._decode_text = decode_text
        self._expect_masked = expect_masked
        self._error: WSProtocolError | None = None
        self._closed = False
        self._hdr = b""  # first bytes of a header split across feeds
        self._in_frame = False  # header parsed, payload pending
        # the current frame
        self._fin = False
        self._op = 0
        self._key: bytes | None = None
        self._left = 0  # payload bytes still to come
        self._done = 0  # payload bytes already seen (mask phase)
        self._ctrl = bytearray()
        # the open data message (op 0 = none)
        self._msg_op = 0
        self._msg_deflate = False
        self._msg_wire = 0
        self._msg_size = 0
        self._parts: list[Any] = []
        self._decoder: TextDecoder | None = None

    def feed(self, data: bytes) -> list[WSMessage]:
        """Parse ``data``; return the messages it completes ([] = need more)."""
        if self._error is not None:
            err = self._error
            again = type(err)(*err.args)
            again.messages = []  # type: ignore[attr-defined]
            raise again
        out: list[WSMessage] = []
        if self._closed or not data:
            return out
        try:
            self._feed(bytes(data), out)
        except WSProtocolError as exc:
            self._error = exc
            exc.messages = exc.events = out  # type: ignore[attr-defined]
            raise
        return out

    def _feed(self, data: bytes, out: list[WSMessage]) -> None:
        pos = 0
        end = len(data)
        while pos < end:
            if not self._in_frame:
                if self._hdr:
                    old = len(self._hdr)
                    buf = self._hdr + data[pos : pos + 14 - old]
                    used = self._header(buf, 0, len(buf))
                    if not used:
                        self._hdr = buf
                        return
                    self._hdr = b""
                    pos += used - old
                else:
                    used = self._header(data, pos, end - pos)
                    if not used:
                        self._hdr = data[pos:]
                        return
                    pos += used
                    left = self._left
                    if (
                        0 < self._op < 8
                        and self._fin
                        and self._key is None
                        and not self._msg_deflate
                        and left <= end - pos
                    ):
                        # Fast path: a whole plain single-frame message.
                        pos += left
                        self._in_frame = False
                        self._msg_op = 0
                        out.append(plain_message(self._op, data[pos - left : pos], self._decode_text))
                        continue
            take = min(self._left, end - pos)
            if take:
                chunk = data[pos : pos + take]
                pos += take
                if self._key is not None:
                    chunk = unmask(self._key, self._done, chunk)
                self._left -= take
                self._done += take
                if self._op >= 8:
                    self._ctrl += chunk
                else:
                    self._data_chunk(chunk)
            if not self._left:
                self._in_frame = False
                if self._op >= 8:
                    payload = bytes(self._ctrl)
                    self._ctrl.clear()
                    out.append(self._control(payload))
                    if self._closed:
                        return
                elif self._fin:
                    out.append(self._finish_message())

    # -- headers --------------------------------------------------------------

    def _header(self, b: bytes, p: int, avail: int) -> int:
        """Validate what is there of a header; commit it and return its size when whole."""
        b0 = b[p]
        op = b0 & 0x0F
        rsv1 = b0 & 0x40
        if b0 & 0x30:
            raise _bad("reserved bits RSV2/RSV3 set")
        if op >= 8:
            if op > 10:
                raise _bad(f"unknown opcode {op}")
            if not b0 & 0x80:
                raise _bad("fragmented control frame")
            if rsv1:
                raise _bad("RSV1 set on a control frame")
        else:
            if op > 2:
                raise _bad(f"unknown opcode {op}")
            if op == 0:
                if not self._msg_op:
                    raise _bad("continuation frame without a message")
                if rsv1:
                    raise _bad("RSV1 set on a continuation frame")
            elif self._msg_op:
                raise _bad("new data frame inside a fragmented message")
            if rsv1 and not self._compress:
                raise _bad("RSV1 set without permessage-deflate")
        if avail < 2:
            return 0
        b1 = b[p + 1]
        masked = b1 & 0x80
        if bool(masked) != self._expect_masked:
            raise _bad("masked frame from the server" if masked else "unmasked frame")
        length = b1 & 0x7F
        if length > 125 and op >= 8:
            raise _bad("control frame payload over 125 bytes")
        need = 6 if masked else 2
        if length == 126:
            if avail < 4:
                return 0
            length = (b[p + 2] << 8) | b[p + 3]
            need += 2
        elif length == 127:
            if avail < 10:
                return 0
            length = int.from_bytes(b[p + 2 : p + 10], "big")
            if length >> 63:
                raise _bad("64-bit payload length with the top bit set")
            need += 8
        if op < 8 and self._max:
            deflate = bool(rsv1) if op else self._msg_deflate
            limit = self._wire_max if deflate else self._max
            if length > limit - (self._msg_wire if op == 0 else 0):
                raise WSMessageTooBig(1009, f"message over max_msg_size {self._max}")
        if avail < need:
            return 0
        # Commit the frame.
        self._in_frame = True
        self._fin = bool(b0 & 0x80)
        self._op = op
        self._key = bytes(b[p + need - 4 : p + need]) if masked else None
        self._left = length
        self._done = 0
        if op and op < 8:
            self._msg_op = op
            self._msg_deflate = bool(rsv1)
            self._msg_wire = 0
            self._msg_size = 0
        if op < 8:
            self._msg_wire += length
        return need

    # -- data messages -------------------------------------------------------

    def _data_chunk(self, chunk: bytes) -> None:
        if self._msg_deflate:
            chunk = self._inflater.inflate(chunk, self._msg_size)
            self._msg_size += len(chunk)
            if chunk:  # text is validated once the whole message inflated (see above)
                self._parts.append(chunk)
            return
        self._append(chunk)

    def _append(self, chunk: bytes) -> None:
        """Add payload (plain, or already inflated) to the open message."""
        if not chunk:
            return
        if self._msg_op == 1:
            decoder = self._decoder
            if decoder is None:
                decoder = self._decoder = TextDecoder()
            text = decoder.decode(chunk)
            if self._decode_text:
                self._parts.append(text)
                return
        self._parts.append(chunk)

    def _finish_message(self) -> WSMessage:
        parts = self._parts
        op = self._msg_op
        self._parts = []
        self._msg_op = 0
        if self._msg_deflate:
            tail = self._inflater.inflate(b"", self._msg_size, True)
            self._msg_size += len(tail)
            if tail:
                parts.append(tail)
            return plain_message(op, b"".join(parts), self._decode_text)
        if op == 2:
            return _new(WSMessage, (_BINARY, b"".join(parts), ""))
        decoder = self._decoder
        self._decoder = None
        if decoder is not None:
            decoder.finish()
        data = "".join(parts) if self._decode_text else b"".join(parts)
        return _new(WSMessage, (_TEXT, data, ""))

    def _control(self, payload: bytes) -> WSMessage:
        if self._op == 8:
            self._closed = True
        return control_message(self._op, payload)


__all__ = ("FrameReader",)
