# cython: language_level=3
"""HTTP/1.1 response parser (RFC 9112), the compiled twin.

Same API, events, rules and error types as the pure-Python twin; the rules are
written out once, in ``_http_parser_py.py``'s docstring, and this file follows them in
the same order.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.unicode cimport PyUnicode_DecodeASCII, PyUnicode_DecodeUTF8
from libc.string cimport memchr, memcmp, memcpy

from multidict import CIMultiDict, CIMultiDictProxy, istr

from ._chunked_c cimport ChunkedDecoder
from ._http_names import KNOWN_NAMES
from .errors import (
    BadHttpMessage,
    BadStatusLine,
    ContentLengthError,
    IncompleteMessage,
    InvalidHeader,
    LineTooLong,
    ParseError,
    TooManyHeaders,
    TransferEncodingError,
)
from .events import MESSAGE_END

include "_http_decls_c.pxi"  # the C scanners and multidict's C API


cdef enum:  # parser states
    HEAD
    LENGTH
    CHUNKED
    UNTIL_EOF
    UPGRADED

cdef tuple V10 = (1, 0)
cdef tuple V11 = (1, 1)
cdef tuple ENCODINGS = ("gzip", "deflate", "br", "zstd")


include "_http_head_c.pxi"


cdef class ResponseParser:
    """Sans-IO parser of a stream of HTTP/1.x responses."""

    cdef:
        Py_ssize_t _max_line, _max_field, _max_headers, _max_head
        bint _read_until_eof, _lax
        bint _head_method, _connect_method
        int _state
        # the head in progress
        char* _buf
        Py_ssize_t _buf_len, _buf_cap
        Py_ssize_t _scan, _line_start, _block_start
        bint _have_status
        int _minor, _status
        Py_ssize_t _reason_start, _reason_end
        Py_ssize_t* _fields
        Py_ssize_t _nfields, _fields_cap
        cyhttp_framing _fr  # framing facts gathered while the fields go by
        # the body
        long long _remaining
        ChunkedDecoder _chunks
        bytearray _tail
        readonly bint upgraded

    def __cinit__(self):
        self._buf = NULL
        self._fields = NULL

    def __dealloc__(self):
        PyMem_Free(self._buf)
        PyMem_Free(self._fields)

    def __init__(self, *, Py_ssize_t max_line_size=8190, Py_ssize_t max_field_size=8190,
                 Py_ssize_t max_headers=128, max_head_size=None, bint read_until_eof=True,
                 bint lax=False):
        self._max_line = max_line_size
        self._max_field = max_field_size
        self._max_headers = max_headers
        if max_head_size is None:
            max_head_size = max_line_size + max_headers * (max_field_size + 2) + 4
        self._max_head = max_head_size
        self._read_until_eof = read_until_eof
        self._lax = lax
        self._head_method = self._connect_method = False
        self._state = HEAD
        self._tail = bytearray()
        self.upgraded = False
        self._reset_head()

    cdef void _reset_head(self):
        self._buf_len = self._scan = self._line_start = self._block_start = 0
        self._have_status = False
        self._nfields = 0
        cyhttp_framing_reset(&self._fr)

    def set_method(self, str method not None):
        """The method of the request whose response comes next (persists until changed)."""
        method = method.upper()
        self._head_method = method == "HEAD"
        self._connect_method = method == "CONNECT"

    def unparsed(self):
        """After an upgrade: the bytes that followed the head, not parsed as HTTP."""
        return bytes(self._tail)

    def feed(self, bytes data not None):
        """Parse ``data``; returns the events it completes (``b""`` means EOF)."""
        cdef list events = []
        cdef ChunkedDecoder decoder
        cdef list pieces
        cdef object ends
        cdef Py_ssize_t pos = 0, end = PyBytes_GET_SIZE(data), take
        cdef int state
        if end == 0:
            return self.feed_eof()
        try:
            while pos < end:
                state = self._state
                if state == HEAD:
                    pos = self._head(data, pos, events)
                elif state == LENGTH:
                    if pos == 0 and end <= self._remaining:
                        events.append(data)  # the whole chunk is body: no copy
                        take = end
                    else:
                        take = min(self._remaining, end - pos)
                        events.append(data[pos:pos + take])
                    pos += take
                    self._remaining -= take
                    if self._remaining == 0:
                        events.append(MESSAGE_END)
                        self._state = HEAD
                elif state == CHUNKED:
                    decoder = self._chunks
                    pieces = decoder.feed(data[pos:] if pos else data)
                    ends = decoder.chunk_ends()
                    if ends is not None:  # before the payload (see the pure twin)
                        events.append(ends)
                    events.extend(pieces)
                    pos = end
                    if decoder.done:
                        data = decoder.unused()
                        pos = 0
                        end = PyBytes_GET_SIZE(data)
                        self._chunks = None
                        self._state = HEAD
                elif state == UNTIL_EOF:
                    events.append(data[pos:] if pos else data)
                    pos = end
                else:
                    self._tail += data[pos:]
                    pos = end
        except ParseError as exc:
            exc.events[:0] = events  # before any the chunked decoder put there
            raise
        return events

    def body_remaining(self):
        """Bytes of a Content-Length body still to come; 0 anywhere else."""
        return self._remaining if self._state == LENGTH else 0

    def skip_body(self, Py_ssize_t n):
        """``n`` body bytes arrived outside ``feed``; ``[MESSAGE_END]`` if that ends the body."""
        if self._state != LENGTH or n < 0 or n > self._remaining:
            raise ValueError(f"skip_body({n}) does not fit the {self.body_remaining()} body bytes to come")
        self._remaining -= n
        if self._remaining:
            return []
        self._state = HEAD
        return [MESSAGE_END]

    def feed_eof(self):
        """The peer closed: ends an until-EOF body, or raises if a response is cut short."""
        cdef int state = self._state
        if state == UNTIL_EOF:
            self._state = HEAD
            return [MESSAGE_END]
        if state == HEAD:
            if self._have_status or self._buf_len > self._line_start:
                raise IncompleteMessage("connection closed in the middle of a response head")
            return []
        if state == LENGTH:
            raise ContentLengthError(
                f"connection closed with {self._remaining} bytes of the body missing"
            )
        if state == CHUNKED:
            raise TransferEncodingError("connection closed in the middle of a chunked body")
        return []

    # -- head ---------------------------------------------------------------

    cdef Py_ssize_t _head(self, bytes data, Py_ssize_t pos, list events) except -1:
        """Consume head bytes from ``data[pos:]``; returns the new position."""
        cdef const char* p = PyBytes_AS_STRING(data) + pos
        cdef Py_ssize_t n = PyBytes_GET_SIZE(data) - pos, r, old, take
        if self._buf_len == 0:
            r = _scan_head(self, p, n)
            if r >= 0:
                self._finish(p, r, events)
                return pos + r
            _append_head(self, p, n)  # n <= max_head_size here, or _scan_head raised
            return pos + n
        # a head that is longer than the limit needs no more than limit + 1 bytes to tell
        old = self._buf_len
        take = min(n, self._max_head + 1 - old)
        _append_head(self, p, take)
        r = _scan_head(self, self._buf, self._buf_len)
        if r >= 0:
            self._finish(self._buf, r, events)
            return pos + r - old
        return pos + take

    cdef int _finish(self, const char* p, Py_ssize_t end, list events) except -1:
        """The blank line is in: build the head, settle keep-alive, pick the body reader."""
        cdef ResponseHead head = _build_head(self, p)
        cdef int status = head.status
        cdef bint chunked = head.chunked, no_body, tunnel
        cdef object length = head.content_length
        self._reset_head()
        tunnel = self._connect_method and 200 <= status < 300
        no_body = status < 200 or status == 204 or status == 304 or self._head_method or tunnel
        if (not no_body and not chunked and length is None) or status == 101 or tunnel:
            head.keep_alive = False  # the body ends with the connection, or HTTP ends here
        if status < 200 and status != 101:
            if status == 100:
                events.append(head)  # the caller may be waiting to send its body
            return 0
        events.append(head)
        if status == 101 or tunnel:
            events.append(MESSAGE_END)
            self.upgraded = True
            self._state = UPGRADED
        elif no_body:
            events.append(MESSAGE_END)
        elif chunked:
            self._chunks = ChunkedDecoder(
                max_line_size=self._max_line, max_trailers=self._max_headers,
                max_field_size=self._max_field,
            )
            self._state = CHUNKED
        elif length is not None:
            if length:
                self._remaining = length
                self._state = LENGTH
            else:
                events.append(MESSAGE_END)
        elif self._read_until_eof:
            self._state = UNTIL_EOF
        else:
            events.append(MESSAGE_END)
        return 0


include "_http_lines_c.pxi"
