# cython: language_level=3
"""Chunked transfer decoder (RFC 9112 §7.1), compiled twin.

Same API, results and error types as ``_chunked_py`` (the reference; its docstring
states the error contract both twins follow).

How this works: the same four-state machine as the pure twin, walking a C pointer over
the fed block.  LF is found with ``memchr`` (bounded by the line limit), hex sizes and
trailer fields are parsed from the block in C through lookup tables, and only payload
becomes a new object.  The payload spans of one feed are recorded (offset, length) and
turned into objects at the end: the block itself when it is all payload, one slice
when there is one span, else consecutive spans grouped up to ``PIECE_CAP`` bytes, each
group one bytes sized once and filled by ``memcpy`` (pure twin: same groups; see
``_group_spans`` in ``_chunked_support_c.pxi``).  A line split across feeds is gathered
in a malloc'd buffer owned by ``__cinit__`` / ``__dealloc__``; the LF search only looks
at new bytes.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from libc.stdint cimport uint64_t
from libc.string cimport memchr, memcpy

from .errors import (
    InvalidHeader,
    LineTooLong,
    ParseError,
    TooManyHeaders,
    TransferEncodingError,
)
from .events import MESSAGE_END, ChunkEnds, EndOfMessage

include "_chunked_support_c.pxi"


cdef class ChunkedDecoder:
    """Decodes one chunked body at a time; ``reset()`` readies it for the next."""

    def __cinit__(self, *args, **kwargs):
        self._line_cap = 128
        self._line = <char*>PyMem_Malloc(self._line_cap)
        if self._line is NULL:
            raise MemoryError()
        self._line_len = 0
        self._spans_cap = 32
        self._spans = <Py_ssize_t*>PyMem_Malloc(self._spans_cap * 2 * sizeof(Py_ssize_t))
        if self._spans is NULL:
            raise MemoryError()
        self._spans_len = 0
        self._ends_cap = 16
        self._ends = <long long*>PyMem_Malloc(self._ends_cap * sizeof(long long))
        if self._ends is NULL:
            raise MemoryError()
        self._ends_len = 0
        self._trailers = []
        self._unused = []

    def __dealloc__(self):
        PyMem_Free(self._line)
        self._line = NULL
        PyMem_Free(self._spans)
        self._spans = NULL
        PyMem_Free(self._ends)
        self._ends = NULL

    def __init__(self, *, Py_ssize_t max_line_size=8190, Py_ssize_t max_trailers=128,
                 Py_ssize_t max_field_size=8190, bint strict=False) -> None:
        if max_line_size < 0 or max_trailers < 0 or max_field_size < 0:
            raise ValueError("limits must be >= 0")
        # Clamped so ``limit + 2`` cannot overflow; no input can tell 2**62 from more.
        self._max_line_size = min(max_line_size, _HUGE)
        self._max_trailers = max_trailers
        self._max_field_size = min(max_field_size, _HUGE)
        self._strict = strict
        self.reset()

    cpdef void reset(self):
        """Forget the current message: ready to decode the next one."""
        self._state = _SIZE
        self._remaining = 0
        self._cr_seen = False
        self._line_len = 0
        del self._trailers[:]
        del self._unused[:]
        self.done = False
        self._total = self._base = 0
        self._ends_len = 0

    cpdef object chunk_ends(self):
        """Where chunks with data ended during the last ``feed`` (None if nowhere)."""
        if self._ends_len == 0:
            return None
        return ChunkEnds(PyBytes_FromStringAndSize(<char*>self._ends, self._ends_len * sizeof(long long)),
                         self._base)

    cpdef bytes unused(self):
        """The bytes fed after the end of the message (they belong to the next one)."""
        if len(self._unused) > 1:
            self._unused[:] = [b"".join(self._unused)]
        return self._unused[0] if self._unused else b""

    cpdef list feed(self, bytes data):
        """Decode ``data``: payload pieces, then ``EndOfMessage`` once at the end."""
        if data is None:
            raise TypeError("data must be bytes, not None")
        cdef list out = []
        cdef const char* buf = PyBytes_AS_STRING(data)
        cdef Py_ssize_t end = PyBytes_GET_SIZE(data)
        cdef Py_ssize_t pos = 0
        cdef Py_ssize_t take
        cdef const char* line
        cdef Py_ssize_t line_len
        self._spans_len = 0
        self._ends_len = 0
        self._base = self._total
        try:
            while pos < end:
                if self._state == _DATA:
                    take = end - pos
                    if <uint64_t>take > self._remaining:
                        take = <Py_ssize_t>self._remaining
                    self._add_span(pos, take)
                    pos += take
                    self._total += take
                    self._remaining -= <uint64_t>take
                    if self._remaining == 0:
                        self._state = _DATA_END
                elif self._state == _SIZE:
                    if self._take_line(buf, pos, end, self._max_line_size, &pos, &line, &line_len):
                        self._size_line(line, line_len)
                elif self._state == _DATA_END:
                    if not self._cr_seen and end - pos >= 2 and buf[pos] == b'\r' and buf[pos + 1] == b'\n':
                        pos += 2
                        self._add_end()
                        self._state = _SIZE
                    elif not self._cr_seen and buf[pos] == b'\r':
                        pos += 1
                        self._cr_seen = True
                    elif self._cr_seen and buf[pos] == b'\n':
                        pos += 1
                        self._cr_seen = False
                        self._add_end()
                        self._state = _SIZE
                    else:
                        raise TransferEncodingError("chunk data not followed by CRLF")
                elif self._state == _TRAILER:
                    if self._take_line(buf, pos, end, self._max_field_size, &pos, &line, &line_len):
                        self._trailer_line(line, line_len, out)
                else:  # _DONE: the rest belongs to the next message
                    self._unused.append(data if pos == 0 else PyBytes_FromStringAndSize(buf + pos, end - pos))
                    break
        except ParseError as exc:
            exc.events[:0] = self._payload(data)
            raise
        if self._spans_len:
            return self._payload(data) + out
        return out

    cdef inline int _add_end(self) except -1:
        cdef long long* grown
        if self._ends_len < self._ends_cap:  # the usual case: no call, no check
            self._ends[self._ends_len] = self._total
            self._ends_len += 1
            return 0
        if self._ends_len == self._ends_cap:
            grown = <long long*>PyMem_Realloc(self._ends, self._ends_cap * 2 * sizeof(long long))
            if grown is NULL:
                raise MemoryError()
            self._ends = grown
            self._ends_cap *= 2
        self._ends[self._ends_len] = self._total
        self._ends_len += 1
        return 0

    cdef int _add_span(self, Py_ssize_t pos, Py_ssize_t n) except -1:
        cdef Py_ssize_t cap
        cdef Py_ssize_t* grown
        if self._spans_len == self._spans_cap:
            cap = self._spans_cap * 2
            grown = <Py_ssize_t*>PyMem_Realloc(self._spans, cap * 2 * sizeof(Py_ssize_t))
            if grown is NULL:
                raise MemoryError()
            self._spans = grown
            self._spans_cap = cap
        self._spans[2 * self._spans_len] = pos
        self._spans[2 * self._spans_len + 1] = n
        self._spans_len += 1
        return 0

    cdef list _payload(self, bytes data):
        """The payload spans of this feed as pieces (see ``_group_spans``)."""
        cdef Py_ssize_t count = self._spans_len
        self._spans_len = 0
        return _group_spans(data, self._spans, count)

    cdef int _append_line(self, const char* src, Py_ssize_t n) except -1:
        cdef Py_ssize_t need = self._line_len + n
        cdef Py_ssize_t cap
        cdef char* grown
        if need > self._line_cap:
            cap = self._line_cap * 2
            if cap < need:
                cap = need
            grown = <char*>PyMem_Realloc(self._line, cap)
            if grown is NULL:
                raise MemoryError()
            self._line = grown
            self._line_cap = cap
        memcpy(self._line + self._line_len, src, n)
        self._line_len = need
        return 0

    cdef int _take_line(self, const char* buf, Py_ssize_t pos, Py_ssize_t end,
                        Py_ssize_t limit, Py_ssize_t* newpos,
                        const char** line, Py_ssize_t* line_len) except -1:
        """1 and the line's content (CRLF removed) if complete; 0 if all was buffered."""
        cdef Py_ssize_t have = self._line_len
        cdef Py_ssize_t avail = end - pos
        cdef Py_ssize_t span = limit + 2 - have   # no legal line reaches further
        cdef const char* lf = <const char*>memchr(buf + pos, b'\n', avail if avail < span else span)
        cdef Py_ssize_t n
        if lf is NULL:
            if have + avail >= limit + 2:
                raise LineTooLong(f"line longer than {limit} bytes")
            self._append_line(buf + pos, avail)
            newpos[0] = end
            return 0
        n = lf - (buf + pos)
        newpos[0] = pos + n + 1
        if have:
            self._append_line(buf + pos, n)
            line[0] = self._line
            n = self._line_len
            self._line_len = 0   # the bytes stay valid until the next append
        else:
            line[0] = buf + pos
        if n and line[0][n - 1] == b'\r':
            n -= 1
            if n > limit:
                raise LineTooLong(f"line longer than {limit} bytes")
        elif n > limit:
            raise LineTooLong(f"line longer than {limit} bytes")
        else:
            raise TransferEncodingError("bare LF in chunked framing")
        line_len[0] = n
        return 1

    cdef int _size_line(self, const char* s, Py_ssize_t n) except -1:
        cdef uint64_t size = _parse_size_line(s, n, self._strict)
        if size:
            self._remaining = size
            self._state = _DATA
        else:
            self._state = _TRAILER
        return 0

    cdef int _trailer_line(self, const char* s, Py_ssize_t n, list out) except -1:
        cdef Py_ssize_t name_end, vs, ve
        if n == 0:
            self._state = _DONE
            self.done = True
            out.append(EndOfMessage(tuple(self._trailers)) if self._trailers else MESSAGE_END)
            return 0
        if len(self._trailers) >= self._max_trailers:
            raise TooManyHeaders(f"more than {self._max_trailers} trailer fields")
        _parse_trailer_line(s, n, &name_end, &vs, &ve)
        self._trailers.append((PyBytes_FromStringAndSize(s, name_end), PyBytes_FromStringAndSize(s + vs, ve - vs)))
        return 0
