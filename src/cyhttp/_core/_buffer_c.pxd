# cython: language_level=3
"""The byte buffer under StreamReader, compiled twin: declarations others may cimport.

    from cyhttp._core._buffer_c cimport Buffer

The public methods are cpdef (direct C calls from another .pyx).
"""

from cpython.object cimport PyObject


cdef class Buffer:
    cdef:
        PyObject* _data        # owned bytes object, refcount 1, never exposed while we grow it
        char* _base            # PyBytes_AS_STRING(_data), NULL when _data is NULL
        Py_ssize_t _cap        # size of _data (0 when NULL)
        Py_ssize_t _pos        # read offset: first unread byte
        Py_ssize_t _end        # write offset: one past the last unread byte
        Py_ssize_t _pending    # size of the outstanding write window at _end, 0 when none
        Py_ssize_t _exports    # live buffer exports of the write window (memoryviews)
        Py_ssize_t _search_pos  # no separator starts before _pos + _search_pos
        object _search_sep     # the separator _search_pos is valid for
        list _retired          # old storages kept alive while a view still points into them
        unsigned long long _total

    cpdef feed(self, data)
    cpdef reserve(self, Py_ssize_t total)
    cpdef commit(self, Py_ssize_t nbytes)
    cpdef bytes read(self, Py_ssize_t n=*)
    cpdef object readexactly(self, Py_ssize_t n)
    cpdef object readuntil(self, bytes separator=*, Py_ssize_t limit=*)
    cpdef object readline(self, Py_ssize_t limit=*)
    cpdef bytes read_all(self)
    cpdef clear(self)

    cdef int _append(self, const char* src, Py_ssize_t n) except -1
    cdef bytes _take(self, Py_ssize_t n)
