"""WebSocket payload decoding shared by both frame-reader twins.

Bounded permessage-deflate inflation (``Inflater``) and close-frame parsing
(``close_message``) are Python-level work in either twin (zlib is called through its
Python API), so both twins use this one module: the same calls, the same results.
``TextDecoder`` (incremental UTF-8 validation), ``unmask`` and ``plain_message`` are the
pure twin's own (the compiled twin does that work in C).
"""

# How this works: ``Inflater`` keeps one raw-deflate decompressobj per connection (or
# per message without context takeover) and asks it for at most one byte more than
# the message may still grow, so a deflate bomb stops after max_msg_size + 1 bytes.
# ``TextDecoder`` wraps CPython's incremental decoder, which already rejects a bad
# byte at once except after ED (surrogates): that prefix is checked here by hand.

from __future__ import annotations

import codecs
import zlib
from typing import Any

from ._ws_mask_py import ws_mask
from .errors import WSInvalidUTF8, WSMessageTooBig, WSProtocolError
from .ws_types import WSMessage, WSMsgType

TRAILER = b"\x00\x00\xff\xff"  # removed by the sender from every message (RFC 7692 §7.2.1)
_CLOSE = WSMsgType.CLOSE
_TEXT = WSMsgType.TEXT
_BINARY = WSMsgType.BINARY
_new = tuple.__new__
_Utf8Decoder = codecs.getincrementaldecoder("utf-8")

# Close codes a peer may send (RFC 6455 §7.4; 1004-1006 and 1015 never go on the wire).
_CLOSE_CODES_OK = frozenset((1000, 1001, 1002, 1003, *range(1007, 1015)))


def bad_text() -> WSInvalidUTF8:
    return WSInvalidUTF8(1007, "invalid UTF-8 in text message")


class Inflater:
    """Inflate the messages of one connection, never past ``max_size`` (0 = unlimited)."""

    __slots__ = ("_bits", "_notakeover", "_max", "_d")

    def __init__(self, window_bits: int, notakeover: bool, max_size: int) -> None:
        self._bits = window_bits
        self._notakeover = notakeover
        self._max = max_size
        self._d: Any = None

    def inflate(self, chunk: bytes, size: int, final: bool = False) -> bytes:
        """Inflate the next compressed bytes of a message that has ``size`` bytes so far."""
        d = self._d
        if d is None:
            d = self._d = zlib.decompressobj(-self._bits)
        if final:
            chunk = TRAILER
        try:
            if self._max:
                budget = self._max - size
                out: bytes = d.decompress(chunk, budget + 1)
                if len(out) > budget:
                    raise WSMessageTooBig(1009, f"inflated message over max_msg_size {self._max}")
            else:
                out = d.decompress(chunk)
        except zlib.error:
            raise WSProtocolError(1002, "invalid deflate data") from None
        if d.eof:
            if d.unused_data and (not final or d.unused_data != TRAILER):
                raise WSProtocolError(1002, "data after the end of the deflate stream")
            if final:  # the sender ended the stream (BFINAL): the next message starts anew
                self._d = None
        if final and self._notakeover:
            self._d = None
        return out


class TextDecoder:
    """Strict incremental UTF-8 that rejects a bad byte as soon as it arrives."""

    __slots__ = ("_decoder",)

    def __init__(self) -> None:
        self._decoder = _Utf8Decoder()

    def decode(self, chunk: bytes) -> str:
        decoder = self._decoder
        try:
            text: str = decoder.decode(chunk)
        except UnicodeDecodeError:
            raise bad_text() from None
        # CPython waits for a third byte after ED A0..BF (a surrogate); reject it now.
        pending = decoder.getstate()[0]
        if len(pending) >= 2 and pending[0] == 0xED and pending[1] >= 0xA0:
            raise bad_text()
        return text

    def finish(self) -> None:
        try:
            self._decoder.decode(b"", True)
        except UnicodeDecodeError:
            raise bad_text() from None


def unmask(key: bytes, done: int, chunk: bytes) -> bytes:
    """``chunk`` unmasked with ``key``, ``done`` payload bytes into the frame (the mask phase)."""
    phase = done & 3
    if phase:
        key = key[phase:] + key[:phase]
    buf = bytearray(chunk)
    ws_mask(key, buf)
    return bytes(buf)


def plain_message(op: int, payload: bytes, decode_text: bool) -> WSMessage:
    """The message of a whole unfragmented, uncompressed data frame (op 1 or 2)."""
    if op == 2:
        return _new(WSMessage, (_BINARY, payload, ""))
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_text() from None
    return _new(WSMessage, (_TEXT, text if decode_text else payload, ""))


_PING_PONG = {9: WSMsgType.PING, 10: WSMsgType.PONG}


def control_message(op: int, payload: bytes) -> WSMessage:
    """The message of a whole control frame: PING / PONG as they are, CLOSE checked."""
    if op != 8:
        return tuple.__new__(WSMessage, (_PING_PONG[op], payload, ""))
    return close_message(payload)


def close_message(payload: bytes) -> WSMessage:
    """The CLOSE message for a close frame's payload (code 0 and "" when empty, as aiohttp)."""
    if not payload:
        return _new(WSMessage, (_CLOSE, 0, ""))
    if len(payload) == 1:
        raise WSProtocolError(1002, "close payload of 1 byte")
    code = (payload[0] << 8) | payload[1]
    if code not in _CLOSE_CODES_OK and not 3000 <= code <= 4999:
        raise WSProtocolError(1002, f"invalid close code {code}")
    try:
        reason = payload[2:].decode("utf-8")
    except UnicodeDecodeError:
        raise WSInvalidUTF8(1007, "invalid UTF-8 in close reason") from None
    return _new(WSMessage, (_CLOSE, code, reason))


__all__ = (
    "TRAILER", "Inflater", "TextDecoder", "bad_text", "close_message", "plain_message", "unmask",
)
