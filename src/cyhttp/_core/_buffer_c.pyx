# cython: language_level=3
"""The byte buffer under StreamReader, compiled twin.

The contract (results, exception types, the write window's rules) is the pure twin's,
``_buffer_py.py``; read its docstring first.

How this works: the bytes live in one ``bytes`` object this class owns (refcount 1,
never exposed while it grows) between a read offset ``_pos`` and a write offset
``_end``.  It grows with ``_PyBytes_Resize`` (realloc: glibc moves large blocks with
mremap, no copy) and compacts lazily, only when the dead prefix is at least as long as
the live bytes, so every byte is moved O(1) times.  ``read_all`` (and any read that
takes everything) shrinks the object to the exact length and hands out that very
object when at least half of it is live: a 100 MiB body needs ~100 MiB, not 200.
``reserve`` pre-sizes exactly, so a Content-Length body never reallocates.

``get_write_buffer`` exports the free tail through ``__getbuffer__``.  While any view is
exported the storage is never reallocated, shrunk or handed out: growth copies into a
fresh object and keeps the old one alive in ``_retired`` until the last view is
released, so a stale view can never point into freed memory.  (Writing into a stale
view may still change buffered bytes: outside the contract, but memory-safe.)
"""

from cpython.buffer cimport PyBUF_FORMAT, PyBUF_ND, PyBUF_SIMPLE, PyBUF_STRIDES, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytearray cimport PyByteArray_AS_STRING, PyByteArray_CheckExact, PyByteArray_GET_SIZE
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_CheckExact, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.memoryview cimport PyMemoryView_FromObject
from cpython.object cimport PyObject
from cpython.ref cimport Py_INCREF, Py_XDECREF
from libc.string cimport memchr, memcmp, memcpy, memmove

from .errors import BufferLimitError

cdef extern from "Python.h":
    int _PyBytes_Resize(PyObject** pv, Py_ssize_t newsize)
    const Py_ssize_t PY_SSIZE_T_MAX

#: Size of the write window when the caller gives no (positive) size hint.
DEFAULT_WRITE_SIZE = 65536
#: ``reserve`` never pre-sizes past this (a hostile Content-Length must not allocate).
RESERVE_LIMIT = 1 << 27

cdef Py_ssize_t _DEFAULT_WRITE_SIZE = DEFAULT_WRITE_SIZE
cdef Py_ssize_t _RESERVE_LIMIT = RESERVE_LIMIT
cdef char _EMPTY[1]
cdef char* _FORMAT_B = "B"


cdef class Buffer:
    """Bytes in at the end, bytes out at the front; see ``_buffer_py.Buffer``."""

    def __cinit__(self, Py_ssize_t initial_capacity=0):
        self._search_sep = b"\n"
        if initial_capacity < 0:
            raise ValueError("initial_capacity must be >= 0")
        if initial_capacity:
            _resize(self, initial_capacity)

    def __dealloc__(self):
        Py_XDECREF(self._data)
        self._data = NULL

    def __len__(self):
        return self._end - self._pos

    def __repr__(self):
        return f"<Buffer {self._end - self._pos} bytes buffered, {self._total} total>"

    @property
    def total_bytes(self):
        """Bytes ever fed or committed."""
        return self._total

    # -- in --------------------------------------------------------------------

    cpdef feed(self, data):
        """Append ``data`` (copied)."""
        cdef Py_buffer view
        self._pending = 0
        if PyBytes_CheckExact(data):
            self._append(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))
        elif PyByteArray_CheckExact(data):
            self._append(PyByteArray_AS_STRING(data), PyByteArray_GET_SIZE(data))
        else:
            try:
                PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
            except BufferError as exc:  # e.g. a strided memoryview; the pure twin says TypeError
                raise TypeError(f"data must be a contiguous bytes-like object: {exc}") from None
            try:
                self._append(<const char*>view.buf, view.len)
            finally:
                PyBuffer_Release(&view)

    cdef int _append(self, const char* src, Py_ssize_t n) except -1:
        if n:
            _room(self, n)
            # memmove: src may be our own exported write window (then _room copied
            # the storage instead of moving it, so src is still valid).
            memmove(self._base + self._end, src, <size_t>n)
            self._end += n
            self._total += <unsigned long long>n
        return 0

    cpdef reserve(self, Py_ssize_t total):
        """Pre-size for ``total`` more bytes (capped at RESERVE_LIMIT)."""
        cdef Py_ssize_t live, want
        self._pending = 0
        if total < 0:
            raise ValueError("reserve() needs a size >= 0")
        want = total if total < _RESERVE_LIMIT else _RESERVE_LIMIT
        if want <= self._cap - self._end:
            return
        live = self._end - self._pos
        if self._pos and not self._exports:
            memmove(self._base, self._base + self._pos, <size_t>live)
            self._pos = 0
            self._end = live
            if want <= self._cap - live:
                return
        _resize(self, live + want if self._exports else self._end + want)

    def get_write_buffer(self, Py_ssize_t sizehint=-1):
        """A writable window for the next bytes; ``commit`` says how many were written."""
        cdef Py_ssize_t need = sizehint if sizehint > 0 else _DEFAULT_WRITE_SIZE
        self._pending = 0
        _room(self, need)
        self._pending = need
        return PyMemoryView_FromObject(self)

    def __getbuffer__(self, Py_buffer* buffer, int flags):
        # Exports the outstanding write window (empty when there is none).
        buffer.buf = <void*>(self._base + self._end if self._base != NULL else _EMPTY)
        buffer.obj = self
        buffer.len = self._pending
        buffer.readonly = 0
        buffer.itemsize = 1
        buffer.format = _FORMAT_B if flags & PyBUF_FORMAT else NULL
        buffer.ndim = 1
        buffer.shape = &buffer.len if (flags & PyBUF_ND) == PyBUF_ND else NULL
        buffer.strides = &buffer.itemsize if (flags & PyBUF_STRIDES) == PyBUF_STRIDES else NULL
        buffer.suboffsets = NULL
        buffer.internal = NULL
        self._exports += 1

    def __releasebuffer__(self, Py_buffer* buffer):
        self._exports -= 1
        if not self._exports:
            self._retired = None

    cpdef commit(self, Py_ssize_t nbytes):
        """``nbytes`` were written at the start of the last write window."""
        cdef Py_ssize_t pending = self._pending
        self._pending = 0
        if nbytes < 0 or nbytes > pending:
            raise ValueError(
                f"commit({nbytes}) does not fit the outstanding write buffer ({pending} bytes)"
            )
        self._end += nbytes
        self._total += <unsigned long long>nbytes

    # -- out -------------------------------------------------------------------

    cdef bytes _take(self, Py_ssize_t n):
        """Remove and return the first ``n`` (0 < n < len) bytes."""
        cdef bytes out = PyBytes_FromStringAndSize(self._base + self._pos, n)
        self._pos += n
        self._search_pos = self._search_pos - n if self._search_pos > n else 0
        return out

    cpdef bytes read(self, Py_ssize_t n=-1):
        """Up to ``n`` bytes (all when ``n < 0``); ``b""`` when empty."""
        self._pending = 0
        if n < 0 or n >= self._end - self._pos:
            return self.read_all()
        if n == 0:
            return b""
        return self._take(n)

    cpdef object readexactly(self, Py_ssize_t n):
        """Exactly ``n`` bytes, or ``None`` while fewer are buffered."""
        cdef Py_ssize_t live = self._end - self._pos
        self._pending = 0
        if n < 0:
            raise ValueError("readexactly() needs a size >= 0")
        if n > live:
            return None
        if n == live:
            return self.read_all()
        if n == 0:
            return b""
        return self._take(n)

    cpdef object readuntil(self, bytes separator=b"\n", Py_ssize_t limit=65536):
        """Bytes through ``separator``; ``None`` while it is not buffered yet."""
        cdef Py_ssize_t seplen, live, stop, start, index, resume, end
        self._pending = 0
        if separator is None:
            raise TypeError("separator must be bytes")
        seplen = PyBytes_GET_SIZE(separator)
        if not seplen:
            raise ValueError("separator must not be empty")
        if limit < 0:
            raise ValueError("limit must be >= 0")
        if separator is not self._search_sep and separator != self._search_sep:
            self._search_sep = separator
            self._search_pos = 0
        live = self._end - self._pos
        # The match must end inside the first `limit` bytes, so never look past them.
        stop = live if live < limit else limit
        start = self._search_pos
        index = _find(self._base + self._pos, start, stop, PyBytes_AS_STRING(separator), seplen)
        if index < 0:
            resume = stop - seplen + 1  # a separator may straddle the end: rescan its tail
            if resume > start:
                self._search_pos = resume
            if live > limit:
                raise BufferLimitError(f"separator not found within {limit} bytes")
            return None
        end = index + seplen
        if end == live:
            return self.read_all()
        self._search_pos = 0
        return self._take(end)

    cpdef object readline(self, Py_ssize_t limit=65536):
        """``readuntil(b"\\n", limit)``."""
        return self.readuntil(b"\n", limit)

    cpdef bytes read_all(self):
        """Everything buffered; zero-copy when at least half the storage is live."""
        cdef Py_ssize_t live = self._end - self._pos
        cdef object out
        self._pending = 0
        self._search_pos = 0
        if not live:
            self._pos = self._end = 0
            return b""
        if self._exports or live < (self._cap >> 1):
            out = PyBytes_FromStringAndSize(self._base + self._pos, live)
            self._pos = self._end = 0
            return out
        if self._pos:
            memmove(self._base, self._base + self._pos, <size_t>live)
            self._pos = 0
            self._end = live
        if live != self._cap:
            _resize(self, live)  # shrink in place (realloc), no copy of the data
        out = <object>self._data  # the object itself: ours is the only other reference
        _drop_storage(self)
        return out

    cpdef clear(self):
        """Drop everything buffered (and the storage)."""
        self._pending = 0
        self._search_pos = 0
        _drop_storage(self)


__all__ = ("Buffer", "DEFAULT_WRITE_SIZE", "RESERVE_LIMIT")


include "_buffer_storage_c.pxi"
