# cython: language_level=3
"""HTTP/1.1 parsers (RFC 9112), the compiled twin: ResponseParser and RequestParser.

Same API, events, rules and error types as the pure-Python twin; the rules are written
out once, in the docstrings of ``_http_message_py.py`` (shared), ``_http_parser_py.py``
(responses) and ``_http_request_py.py`` (requests), and this module follows them in the
same order.  The pieces, by job: ``_http_decls_c.pxi`` (C declarations),
``_http_head_c.pxi`` (name table, RawHeaders), ``_http_message_c.pxi`` (MessageParser:
state machine, body framing), ``_http_lines_c.pxi`` (head scanning), this file (the
response side) and ``_http_request_c.pxi`` (the request side).
"""

cimport cython
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Realloc
from cpython.unicode cimport PyUnicode_DecodeASCII, PyUnicode_DecodeUTF8
from libc.string cimport memchr, memcmp, memcpy

from multidict import CIMultiDict, CIMultiDictProxy, istr

from ._chunked_c cimport ChunkedDecoder
from ._http_names import KNOWN_NAMES
from .errors import (
    BadHttpMessage,
    BadHttpMethod,
    BadHttpVersion,
    BadStatusLine,
    ContentLengthError,
    IncompleteMessage,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    ParseError,
    TooManyHeaders,
    TransferEncodingError,
)
from .events import MESSAGE_END

include "_http_decls_c.pxi"  # the C scanners and multidict's C API

cdef tuple V10 = (1, 0)
cdef tuple V11 = (1, 1)
cdef tuple ENCODINGS = ("gzip", "deflate", "br", "zstd")


include "_http_head_c.pxi"
include "_http_message_c.pxi"


cdef class ResponseHead(RawHeaders):
    """One parsed response head (status line, fields, and what framing needs)."""

    cdef:
        readonly tuple version
        readonly int status
        readonly str reason
        readonly object headers
        readonly object content_length
        readonly bint chunked
        readonly bint keep_alive
        readonly bint upgrade
        readonly object encoding

    def __repr__(self):
        return (
            f"<ResponseHead HTTP/{self.version[0]}.{self.version[1]} {self.status} "
            f"{self.reason!r} headers={len(self.headers)} length={self.content_length} "
            f"chunked={self.chunked} keep_alive={self.keep_alive}>"
        )


cdef class ResponseParser(MessageParser):
    """Sans-IO parser of a stream of HTTP/1.x responses."""

    cdef:
        bint _read_until_eof
        bint _head_method, _connect_method
        int _status
        Py_ssize_t _reason_start, _reason_end

    def __init__(self, *, Py_ssize_t max_line_size=8190, Py_ssize_t max_field_size=8190,
                 Py_ssize_t max_headers=128, max_head_size=None, bint read_until_eof=True,
                 bint lax=False):
        self._setup("response", max_line_size, max_field_size, max_headers, max_head_size, lax)
        self._read_until_eof = read_until_eof
        self._head_method = self._connect_method = False

    def set_method(self, str method not None):
        """The method of the request whose response comes next (persists until changed)."""
        method = method.upper()
        self._head_method = method == "HEAD"
        self._connect_method = method == "CONNECT"

    cdef int _start_line(self, const char* p, Py_ssize_t start, Py_ssize_t stop) except -1:
        if cyhttp_status_line(p + start, stop - start, &self._minor, &self._status,
                              &self._reason_start, &self._reason_end) < 0:
            raise BadStatusLine(
                f"invalid status line {PyBytes_FromStringAndSize(p + start, min(stop - start, 100))!r}"
            )
        self._reason_start += start
        self._reason_end += start
        return 0

    cdef int _finish(self, const char* p, list events) except -1:
        cdef cyhttp_framing* fr = &self._fr
        cdef int status = self._status, minor = self._minor
        cdef long long length = _length(fr)
        cdef bint chunked = fr.te_seen and fr.te_last_chunked  # else: until EOF
        cdef bint tunnel = self._connect_method and 200 <= status < 300
        cdef bint switching = status == 101 or tunnel
        cdef bint no_body = (status < 200 or status == 204 or status == 304
                             or self._head_method or tunnel)
        cdef ResponseHead head = ResponseHead.__new__(ResponseHead)
        head.version = V11 if minor == 1 else (V10 if minor == 0 else (1, minor))
        head.status = status
        head.reason = PyUnicode_DecodeUTF8(p + self._reason_start,
                                           self._reason_end - self._reason_start,
                                           "surrogateescape")
        head.headers = _headers(self, p)
        head._block = _field_block(self, p)
        head.content_length = None if length < 0 else length
        head.chunked = chunked
        head.keep_alive = not fr.conn_close and (minor >= 1 or fr.conn_keep_alive)
        head.upgrade = fr.conn_upgrade and fr.upgrade == 1
        head.encoding = _encoding(fr)
        self._reset_head()
        if (not no_body and not chunked and length < 0) or switching:
            head.keep_alive = False  # the body ends with the connection, or HTTP ends here
        if status < 200 and status != 101:
            if status == 100:
                events.append(head)  # the caller may be waiting to send its body
            return 0
        events.append(head)
        if switching:
            self._switch = True
            self._begin_body(events, False, -1, False)
        elif no_body:
            self._begin_body(events, False, -1, False)
        else:
            self._begin_body(events, chunked, length, self._read_until_eof)
        return 0


include "_http_request_c.pxi"
include "_http_lines_c.pxi"
