# cython: language_level=3
"""WebSocket frame reader (RFC 6455, permessage-deflate RFC 7692), compiled twin.

Same API, results, errors and decisions as ``_ws_reader_py`` (read its docstring).
"""

# How this works: headers are read with pointer arithmetic straight from the fed bytes
# (a header split across feeds is kept in ``hdr``, at most 14 bytes) and validated byte
# by byte as soon as each is seen.  Data-frame payload is streamed into one growable C
# buffer owned by this object: unmasked in place with ``cyhttp_ws_mask`` (csrc/ws_mask.h),
# UTF-8 validated by ``cyhttp_utf8_feed`` (csrc/ws_utf8.h), whose state carries across
# chunks and fragments, and turned into ``bytes`` or ``str`` once when the message ends.
# Inflation and close frames are Python-level work either way: both twins share
# ``_ws_payload_py`` for them.
# A whole single-frame message inside one feed skips the buffer: one slice, or one
# PyUnicode_DecodeUTF8 straight from the fed bytes.  The message side (WSMessage
# building, unmasking, payload assembly: the base class) is in _ws_message_c.pxi.

from cpython.bytes cimport (
    PyBytes_AS_STRING,
    PyBytes_CheckExact,
    PyBytes_FromStringAndSize,
    PyBytes_GET_SIZE,
)
from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport uint64_t
from libc.stdlib cimport free, realloc
from libc.string cimport memcpy

from ._ws_payload_py import Inflater, bad_text, close_message
from .errors import WSMessageTooBig, WSProtocolError
from .ws_types import WSMessage, WSMsgType

cdef extern from "ws_mask.h":
    void cyhttp_ws_mask(const unsigned char *key, unsigned char *data, size_t length) nogil

cdef extern from "ws_utf8.h":
    ctypedef struct cyhttp_utf8_state:
        pass
    void cyhttp_utf8_reset(cyhttp_utf8_state *st) nogil
    int cyhttp_utf8_feed(cyhttp_utf8_state *st, const unsigned char *data, size_t n) nogil
    bint cyhttp_utf8_complete(const cyhttp_utf8_state *st) nogil

cdef object _TEXT = WSMsgType.TEXT
cdef object _BINARY = WSMsgType.BINARY
cdef object _PING = WSMsgType.PING
cdef object _PONG = WSMsgType.PONG
cdef object _WSMessage = WSMessage
# Above this capacity the message buffer is released once the message is delivered.
cdef size_t _KEEP_CAPACITY = 64 * 1024
# A single-frame message up to this size is written straight into its bytes object.
cdef uint64_t _DIRECT_MAX = 64 * 1024 * 1024


include "_ws_message_c.pxi"


cdef class FrameReader(_MessageBuilder):
    """WebSocket frames in, complete messages out (sans-IO)."""

    cdef:
        uint64_t max_size, wire_max, msg_wire
        bint compress, expect_masked, closed, in_frame
        int hdr_len
        unsigned char hdr[14]
        unsigned char ctrl[128]
        object error

    def __init__(self, *, max_msg_size=4 * 1024 * 1024, compress=False,
                 server_window_bits=15, server_notakeover=False, decode_text=True,
                 expect_masked=False):
        if not 0 <= max_msg_size < (1 << 63):
            raise ValueError("max_msg_size must be in 0..2**63-1")
        if not 8 <= server_window_bits <= 15:
            raise ValueError("server_window_bits must be in 8..15")
        self.max_size = max_msg_size
        self.wire_max = (max_msg_size + max_msg_size // 1024 + 1024) if max_msg_size else 0
        self.compress = bool(compress)
        self.inflater = Inflater(server_window_bits, bool(server_notakeover), max_msg_size)
        self.decode_text = bool(decode_text)
        self.expect_masked = bool(expect_masked)
        self.error = None
        self.direct = None
        self.closed = False
        self.in_frame = False
        self.hdr_len = 0
        self.msg_op = 0
        self.msg_deflate = False
        self.msg_wire = 0
        self.msg_size = 0

    def feed(self, data) -> list:
        """Parse ``data``; return the messages it completes ([] = need more)."""
        cdef list out
        if self.error is not None:
            err = self.error
            again = type(err)(*err.args)
            again.messages = []
            raise again
        out = []
        if self.closed or not data:
            return out
        if not PyBytes_CheckExact(data):
            data = bytes(data)
        try:
            self._feed(<bytes>data, out)
        except WSProtocolError as exc:
            self.error = exc
            exc.messages = exc.events = out
            raise
        return out

    cdef int _feed(self, bytes data, list out) except -1:
        cdef const unsigned char *p = <const unsigned char *>PyBytes_AS_STRING(data)
        cdef Py_ssize_t end = PyBytes_GET_SIZE(data)
        cdef Py_ssize_t pos = 0, used, old, add, take
        while pos < end:
            if not self.in_frame:
                if self.hdr_len:
                    old = self.hdr_len
                    add = min(14 - old, end - pos)
                    memcpy(self.hdr + old, p + pos, add)
                    used = self._header(self.hdr, old + add)
                    if used == 0:
                        self.hdr_len = <int>(old + add)
                        return 0
                    self.hdr_len = 0
                    pos += used - old
                else:
                    used = self._header(p + pos, end - pos)
                    if used == 0:
                        memcpy(self.hdr, p + pos, end - pos)
                        self.hdr_len = <int>(end - pos)
                        return 0
                    pos += used
                    if (0 < self.op < 8 and self.fin and not self.msg_deflate
                            and self.left <= <uint64_t>(end - pos)):
                        # Fast path: a whole single-frame message.
                        take = <Py_ssize_t>self.left
                        self.in_frame = False
                        self.msg_op = 0
                        out.append(self._plain(p + pos, take))
                        pos += take
                        continue
            take = end - pos
            if self.left < <uint64_t>take:
                take = <Py_ssize_t>self.left
            if take:
                if self.op >= 8:
                    memcpy(self.ctrl + self.done, p + pos, take)
                    if self.masked:
                        _unmask(self.key, self.done, self.ctrl + self.done, take)
                else:
                    self._data_chunk(p + pos, take)
                pos += take
                self.left -= take
                self.done += take
            if self.left == 0:
                self.in_frame = False
                if self.op >= 8:
                    out.append(self._control(
                        PyBytes_FromStringAndSize(<char *>self.ctrl, <Py_ssize_t>self.done)))
                    if self.closed:
                        return 0
                elif self.fin:
                    out.append(self._finish_message())
        return 0

    # -- headers --------------------------------------------------------------

    cdef Py_ssize_t _header(self, const unsigned char *b, Py_ssize_t avail) except -1:
        """Validate what is there of a header; commit it and return its size when whole."""
        cdef int b0 = b[0]
        cdef int op = b0 & 0x0F
        cdef int rsv1 = b0 & 0x40
        cdef int b1
        cdef bint masked, deflate
        cdef uint64_t length, limit
        cdef Py_ssize_t need
        cdef int i
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
                if not self.msg_op:
                    raise _bad("continuation frame without a message")
                if rsv1:
                    raise _bad("RSV1 set on a continuation frame")
            elif self.msg_op:
                raise _bad("new data frame inside a fragmented message")
            if rsv1 and not self.compress:
                raise _bad("RSV1 set without permessage-deflate")
        if avail < 2:
            return 0
        b1 = b[1]
        masked = (b1 & 0x80) != 0
        if masked != self.expect_masked:
            raise _bad("masked frame from the server" if masked else "unmasked frame")
        length = b1 & 0x7F
        if length > 125 and op >= 8:
            raise _bad("control frame payload over 125 bytes")
        need = 6 if masked else 2
        if length == 126:
            if avail < 4:
                return 0
            length = (<uint64_t>b[2] << 8) | b[3]
            need += 2
        elif length == 127:
            if avail < 10:
                return 0
            length = 0
            for i in range(2, 10):
                length = (length << 8) | b[i]
            if length >> 63:
                raise _bad("64-bit payload length with the top bit set")
            need += 8
        if op < 8 and self.max_size:
            deflate = (rsv1 != 0) if op else self.msg_deflate
            limit = self.wire_max if deflate else self.max_size
            if length > limit - (self.msg_wire if op == 0 else 0):
                raise WSMessageTooBig(1009, f"message over max_msg_size {self.max_size}")
        if avail < need:
            return 0
        # Commit the frame.
        self.in_frame = True
        self.fin = (b0 & 0x80) != 0
        self.op = op
        self.masked = masked
        if masked:
            memcpy(self.key, b + need - 4, 4)
        self.left = length
        self.done = 0
        if op and op < 8:
            self.msg_op = op
            self.msg_deflate = rsv1 != 0
            self.msg_wire = 0
            self.msg_size = 0
            self.buf_len = 0
            cyhttp_utf8_reset(&self.utf8)
        if op < 8:
            self.msg_wire += length
        return need

    # -- control frames ------------------------------------------------------

    cdef object _control(self, bytes payload):
        if self.op == 9:
            return _msg(_PING, payload, "")
        if self.op == 10:
            return _msg(_PONG, payload, "")
        self.closed = True
        return close_message(payload)
