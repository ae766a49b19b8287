# What the compiled twin's heads share: the known-name table, the RawHeaders base and
# the raw fields behind it.  Included by _http_parser_c.pyx (it shares that module's
# cimports and constants).

# The known names (``_http_names.KNOWN_NAMES``, the one list) sorted by length, as cached
# istr objects and as C strings for memcmp: KNOWN_AT[n] .. KNOWN_AT[n + 1] are the
# indexes of the names n bytes long.  The C pointers point into KNOWN_BYTES, which lives
# as long as the module.
cdef enum:
    KNOWN_MAX = 32  # names longer than this are never looked up
    KNOWN_CAP = 256
cdef tuple KNOWN_BYTES = tuple(sorted([name.encode("ascii") for name in KNOWN_NAMES], key=len))
cdef tuple KNOWN = tuple([istr(name.decode("ascii")) for name in KNOWN_BYTES])
cdef Py_ssize_t KNOWN_COUNT = len(KNOWN_BYTES)
cdef const char* KNOWN_PTR[KNOWN_CAP]
cdef Py_ssize_t KNOWN_AT[KNOWN_MAX + 2]


cdef int _index_known() except -1:
    cdef Py_ssize_t n, i = 0
    if KNOWN_COUNT > KNOWN_CAP or len(KNOWN_BYTES[KNOWN_COUNT - 1]) > KNOWN_MAX:
        raise ImportError("_http_names.KNOWN_NAMES does not fit the compiled parser's table")
    for i in range(KNOWN_COUNT):
        KNOWN_PTR[i] = PyBytes_AS_STRING(KNOWN_BYTES[i])
    i = 0
    for n in range(KNOWN_MAX + 2):
        while i < KNOWN_COUNT and PyBytes_GET_SIZE(KNOWN_BYTES[i]) < n:
            i += 1
        KNOWN_AT[n] = i
    return 0


_index_known()


def known_names():
    """The field names that become cached istr keys (tests compare it with the pure twin)."""
    return tuple([str(name) for name in KNOWN])


cdef inline object _name(const char* p, Py_ssize_t n):
    cdef Py_ssize_t i
    if n <= KNOWN_MAX:
        for i in range(KNOWN_AT[n], KNOWN_AT[n + 1]):
            if p[0] == KNOWN_PTR[i][0] and memcmp(p, KNOWN_PTR[i], n) == 0:
                return <object>KNOWN[i]
    return PyUnicode_DecodeASCII(p, n, NULL)


cdef class RawHeaders:
    """``raw_headers`` of a head, built on first access from its field block."""

    cdef:
        object _raw
        bytes _block

    @property
    def raw_headers(self):
        if self._raw is None:
            self._raw = _raw_fields(self._block)
        return self._raw


cdef tuple _raw_fields(bytes block):
    """The raw (name, value) pairs of an already checked field block (LF-separated)."""
    cdef const char* p = PyBytes_AS_STRING(block)
    cdef Py_ssize_t n = PyBytes_GET_SIZE(block), i = 0, lf, stop, colon, vs, ve
    cdef list out = []
    while i < n:
        lf = <const char*>memchr(p + i, b"\n", n - i) - p
        stop = lf - 1 if p[lf - 1] == b"\r" else lf
        colon = <const char*>memchr(p + i, b":", stop - i) - p
        vs = colon + 1
        while vs < stop and (p[vs] == b" " or p[vs] == b"\t"):
            vs += 1
        ve = stop
        while ve > vs and (p[ve - 1] == b" " or p[ve - 1] == b"\t"):
            ve -= 1
        out.append((PyBytes_FromStringAndSize(p + i, colon - i),
                    PyBytes_FromStringAndSize(p + vs, ve - vs)))
        i = lf + 1
    return tuple(out)
