# cython: language_level=3
"""Chunked transfer decoder, compiled twin: declarations others may cimport.

    from cyhttp._core._chunked_c cimport ChunkedDecoder

``feed`` / ``unused`` / ``reset`` are cpdef (direct C calls from another .pyx);
``chunk_ends`` too; ``done`` is a readonly C field.
"""

from libc.stdint cimport uint64_t


cdef class ChunkedDecoder:
    cdef:
        readonly bint done
        int _state
        bint _cr_seen
        uint64_t _remaining
        Py_ssize_t _max_line_size
        Py_ssize_t _max_trailers
        Py_ssize_t _max_field_size
        bint _strict         # no SP/HTAB after the chunk size (the request side)
        char* _line          # a line split across feeds (malloc'd, grows to limit + 2)
        Py_ssize_t _line_len
        Py_ssize_t _line_cap
        Py_ssize_t* _spans   # (offset, length) of each payload piece of one feed (malloc'd)
        Py_ssize_t _spans_len
        Py_ssize_t _spans_cap
        long long* _ends     # payload offset at each chunk end of one feed (malloc'd)
        Py_ssize_t _ends_len
        Py_ssize_t _ends_cap
        long long _total     # payload bytes of this body so far
        long long _base      # ... before the current feed
        list _trailers
        list _unused

    cpdef list feed(self, bytes data)
    cpdef bytes unused(self)
    cpdef void reset(self)
    cpdef object chunk_ends(self)

    cdef int _append_line(self, const char* src, Py_ssize_t n) except -1
    cdef int _add_end(self) except -1
    cdef int _add_span(self, Py_ssize_t pos, Py_ssize_t n) except -1
    cdef list _payload(self, bytes data)
    cdef int _take_line(self, const char* buf, Py_ssize_t pos, Py_ssize_t end,
                        Py_ssize_t limit, Py_ssize_t* newpos,
                        const char** line, Py_ssize_t* line_len) except -1
    cdef int _size_line(self, const char* s, Py_ssize_t n) except -1
    cdef int _trailer_line(self, const char* s, Py_ssize_t n, list out) except -1
