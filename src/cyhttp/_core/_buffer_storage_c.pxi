# The compiled Buffer's storage management and separator search, included at the end of
# _buffer_c.pyx (it shares that module's cimports and constants).  The storage functions
# take the buffer as ``b`` (plain C calls); the rules they keep are in the module
# docstring: one owned bytes object, lazy compaction, no realloc while a view is out.

cdef inline Py_ssize_t _find(const char* hay, Py_ssize_t start, Py_ssize_t stop,
                             const char* sep, Py_ssize_t seplen) noexcept nogil:
    """First offset >= start where ``sep`` lies wholly inside ``hay[:stop]``, or -1."""
    cdef Py_ssize_t last = stop - seplen
    cdef const char* p
    while start <= last:
        p = <const char*>memchr(hay + start, sep[0], <size_t>(last - start + 1))
        if p == NULL:
            return -1
        start = p - hay
        if seplen == 1 or memcmp(p + 1, sep + 1, <size_t>(seplen - 1)) == 0:
            return start
        start += 1
    return -1


cdef void _drop_storage(Buffer b):
    if b._data != NULL:
        if b._exports:
            if b._retired is None:
                b._retired = []
            b._retired.append(<object>b._data)
        Py_XDECREF(b._data)
    b._data = NULL
    b._base = NULL
    b._cap = b._pos = b._end = 0


cdef int _resize(Buffer b, Py_ssize_t newcap) except -1:
    """Make the storage exactly ``newcap`` (>= the live bytes, > 0) long."""
    cdef Py_ssize_t live = b._end - b._pos
    cdef object fresh
    if b._data != NULL and not b._exports:
        if _PyBytes_Resize(&b._data, newcap) < 0:
            b._data = NULL  # CPython freed it: the buffered bytes are lost
            b._base = NULL
            b._cap = b._pos = b._end = 0
            return -1
        b._base = PyBytes_AS_STRING(<object>b._data)
        b._cap = newcap
        return 0
    # First allocation, or a view points into the old storage: copy the live
    # bytes into a fresh object and let _retired keep the old one alive.
    fresh = PyBytes_FromStringAndSize(NULL, newcap)
    if live:
        memcpy(PyBytes_AS_STRING(fresh), b._base + b._pos, <size_t>live)
    _drop_storage(b)
    Py_INCREF(fresh)
    b._data = <PyObject*>fresh
    b._base = PyBytes_AS_STRING(fresh)
    b._cap = newcap
    b._end = live
    return 0


cdef int _room(Buffer b, Py_ssize_t n) except -1:
    """Make room for ``n`` more bytes at ``_end``."""
    cdef Py_ssize_t live, need, newcap, cap = b._cap
    if n <= cap - b._end:
        return 0
    live = b._end - b._pos
    if b._pos >= live and n <= cap - live:
        # Compact: it moves no more than was read since the last compaction.
        memmove(b._base, b._base + b._pos, <size_t>live)
        b._pos = 0
        b._end = live
        return 0
    if n > PY_SSIZE_T_MAX - b._end - (cap >> 1):
        raise MemoryError("buffer size overflow")
    need = b._end + n
    # Double while small, then 1.5x, then 1/16 steps: past 32 MiB glibc serves
    # blocks with mmap and grows them with mremap, so small steps cost no copy
    # and keep the over-allocation (and tracemalloc's peak) under 7 %.
    if cap < (1 << 20):
        newcap = cap * 2
    elif cap < (32 << 20):
        newcap = cap + (cap >> 1)
    else:
        newcap = cap + (cap >> 4)
    if newcap < need:
        newcap = need
    _resize(b, newcap)
    return 0
