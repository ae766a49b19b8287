# cython: language_level=3
"""WebSocket frame writer (RFC 6455 §5, RFC 7692 permessage-deflate), compiled twin.

Same behaviour as ``_ws_writer_py`` (the readable reference); see its "how this works".
"""

# How this works (what differs from the pure twin): a frame is ONE bytes allocation
# sized for header + key + payload; the header is written byte by byte, the payload is
# copied once and masked in place by csrc/ws_mask.h.  The key pool is a 4 KiB array
# inside the object (no Python object per key).  Deflate goes through the same zlib
# calls as the pure twin, so the compressed bytes are identical by construction; the
# 00 00 ff ff tail is dropped by framing 4 bytes fewer instead of slicing a copy.

import operator
import os
import zlib

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_CheckExact, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from libc.string cimport memcpy

cdef extern from "ws_mask.h":
    void cyhttp_ws_mask_copy(const unsigned char *key, unsigned char *dst, const unsigned char *src,
                             size_t length) nogil

cdef enum:
    OP_CONTINUATION = 0x0
    OP_TEXT = 0x1
    OP_BINARY = 0x2
    OP_CLOSE = 0x8
    OP_PING = 0x9
    OP_PONG = 0xA
    MAX_CONTROL_PAYLOAD = 125
    POOL_SIZE = 4096
    NOGIL_MIN = 65536  # copying + masking this much is worth releasing the GIL

cdef object _index = operator.index
cdef object _urandom = os.urandom
cdef object _compressobj = zlib.compressobj
cdef int _DEFLATE_LEVEL = zlib.Z_BEST_SPEED
cdef int _DEFLATED = zlib.DEFLATED
cdef object _Z_SYNC_FLUSH = zlib.Z_SYNC_FLUSH
cdef object _Z_FULL_FLUSH = zlib.Z_FULL_FLUSH


cdef inline bint _valid_close_code(object code):
    # RFC 6455 §7.4: 1004-1006 and 1015 must never be sent; 1016-2999 are unassigned.
    return (1000 <= code <= 1014 and code not in (1004, 1005, 1006)) or 3000 <= code <= 4999


cdef class FrameWriter:
    """Builds WebSocket frames: header, masking key and masked (optionally deflated) payload."""

    cdef:
        bint _is_client
        bint _notakeover
        bint _fragmenting       # a data message was started with fin=False
        bint _msg_compressed    # ...and whether it is deflated
        int _compress           # 0, or the window bits 9..15
        object _random_bytes
        object _compressor
        Py_ssize_t _pool_pos
        unsigned char _pool[POOL_SIZE]

    def __cinit__(self):
        self._pool_pos = POOL_SIZE  # empty: filled on the first masked frame

    def __init__(self, *, is_client=True, compress=0, notakeover=False, random_bytes=None):
        compress = _index(compress)
        if compress and not 9 <= compress <= 15:
            raise ValueError("compress must be 0 or a window size of 9..15 bits")
        self._is_client = bool(is_client)
        self._compress = compress
        self._notakeover = bool(notakeover)
        self._random_bytes = random_bytes
        self._compressor = None
        self._fragmenting = False
        self._msg_compressed = False

    def frame(self, opcode, payload, *, fin=True, compress=None) -> bytes:
        """One complete frame; ValueError for a frame the protocol does not allow."""
        cdef Py_buffer view
        if PyBytes_CheckExact(payload):
            return self._frame(opcode, payload, <const unsigned char *>PyBytes_AS_STRING(payload),
                               PyBytes_GET_SIZE(payload), fin, compress)
        try:
            PyObject_GetBuffer(payload, &view, PyBUF_SIMPLE)
        except BufferError as exc:
            raise TypeError(f"payload must be a contiguous bytes-like object: {exc}") from None
        try:
            return self._frame(opcode, payload, <const unsigned char *>view.buf, view.len,
                               fin, compress)
        finally:
            PyBuffer_Release(&view)

    def close_frame(self, code=1000, message=b"") -> bytes:
        """A CLOSE frame carrying ``code`` and a UTF-8 ``message`` (at most 123 bytes)."""
        code = _index(code)
        if not _valid_close_code(code):
            raise ValueError(f"invalid close code {code}")
        if isinstance(message, str):
            reason = message.encode("utf-8")
        else:
            try:
                reason = bytes(memoryview(message).cast("B"))
            except (TypeError, ValueError) as exc:
                raise TypeError(str(exc)) from None
            try:
                reason.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError("close message must be valid UTF-8") from None
        if len(reason) > MAX_CONTROL_PAYLOAD - 2:
            raise ValueError("close message must be at most 123 bytes")
        return self.frame(OP_CLOSE, code.to_bytes(2, "big") + reason)

    cdef bytes _frame(self, object opcode, object payload, const unsigned char *buf,
                      Py_ssize_t size, object fin_obj, object compress):
        cdef int op
        cdef int first_byte
        cdef bint deflate
        cdef bint fin = fin_obj
        cdef bytes deflated, frame
        opcode = _index(opcode)
        if not 0 <= opcode <= OP_PONG:
            raise ValueError(f"invalid opcode {opcode:#x}")
        op = opcode
        if op >= OP_CLOSE:
            if not fin:
                raise ValueError("control frames cannot be fragmented")
            if size > MAX_CONTROL_PAYLOAD:
                raise ValueError("control frame payload must be at most 125 bytes")
            return self._build(0x80 | op, buf, size)
        if op == OP_CONTINUATION:
            if not self._fragmenting:
                raise ValueError("CONTINUATION frame without a fragmented message in progress")
            deflate = self._msg_compressed
            if compress is not None and bool(compress) != deflate:
                raise ValueError("compress must stay the same for all frames of a message")
            first_byte = OP_CONTINUATION
        elif op == OP_TEXT or op == OP_BINARY:
            if self._fragmenting:
                raise ValueError("previous fragmented message is not finished")
            if compress is None:
                deflate = self._compress != 0
            elif compress and not self._compress:
                raise ValueError("compress=True on a writer without permessage-deflate")
            else:
                deflate = bool(compress)
            first_byte = op | 0x40 if deflate else op
        else:
            raise ValueError(f"invalid opcode {op:#x}")
        if fin:
            first_byte |= 0x80
        if deflate:
            deflated = self._deflate(payload, fin)
            # A sync/full flush always ends with the empty stored block 00 00 ff ff.
            frame = self._build(first_byte, <const unsigned char *>PyBytes_AS_STRING(deflated),
                                PyBytes_GET_SIZE(deflated) - (4 if fin else 0))
        else:
            frame = self._build(first_byte, buf, size)
        self._fragmenting = not fin
        self._msg_compressed = deflate
        return frame

    cdef bytes _deflate(self, object payload, bint fin):
        if self._compressor is None:
            self._compressor = _compressobj(_DEFLATE_LEVEL, _DEFLATED, -self._compress)
        mode = _Z_FULL_FLUSH if fin and self._notakeover else _Z_SYNC_FLUSH
        return self._compressor.compress(payload) + self._compressor.flush(mode)

    cdef int _next_key(self, unsigned char key[4]) except -1:
        cdef bytes fresh
        if self._random_bytes is not None:
            fresh = bytes(self._random_bytes(4))
            if PyBytes_GET_SIZE(fresh) != 4:
                raise ValueError("random_bytes(4) must return 4 bytes")
            memcpy(key, PyBytes_AS_STRING(fresh), 4)
            return 0
        if self._pool_pos >= POOL_SIZE:
            fresh = _urandom(POOL_SIZE)
            memcpy(self._pool, PyBytes_AS_STRING(fresh), POOL_SIZE)
            self._pool_pos = 0
        memcpy(key, self._pool + self._pool_pos, 4)
        self._pool_pos += 4
        return 0

    cdef bytes _build(self, int first_byte, const unsigned char *buf, Py_ssize_t size):
        cdef unsigned char key[4]
        cdef unsigned char *p
        cdef Py_ssize_t head = 2 if size < 126 else (4 if size < 65536 else 10)
        cdef unsigned char mask_bit = 0x80 if self._is_client else 0
        cdef unsigned long long wide = <unsigned long long>size
        cdef int i
        cdef bytes out
        if self._is_client:
            self._next_key(key)
        out = PyBytes_FromStringAndSize(NULL, head + (4 if self._is_client else 0) + size)
        p = <unsigned char *>PyBytes_AS_STRING(out)
        p[0] = <unsigned char>first_byte
        if size < 126:
            p[1] = mask_bit | <unsigned char>size
        elif size < 65536:
            p[1] = mask_bit | 126
            p[2] = <unsigned char>(size >> 8)
            p[3] = <unsigned char>size
        else:
            p[1] = mask_bit | 127
            for i in range(8):
                p[2 + i] = <unsigned char>(wide >> (56 - 8 * i))
        p += head
        if not self._is_client:
            memcpy(p, buf, size)
            return out
        memcpy(p, key, 4)
        p += 4
        # The masked payload is written in one pass (copy and XOR together).
        if size >= NOGIL_MIN:
            with nogil:
                cyhttp_ws_mask_copy(key, p, buf, <size_t>size)
        else:
            cyhttp_ws_mask_copy(key, p, buf, <size_t>size)
        return out
