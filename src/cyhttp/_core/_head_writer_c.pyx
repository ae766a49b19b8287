# cython: language_level=3
"""HTTP/1.1 head writer, the compiled twin.

Same API, bytes and error types as ``_head_writer_py`` (the reference; its docstring
states the rules, in the order both twins check them).

How this works: every piece of the head is looked at once, in order: an ASCII str is
read in place (its own bytes, no copy), other text is encoded to UTF-8 once; each is
checked against the byte classes of csrc/http_scan.h as it is reached, and only
(pointer, length) pairs are kept.  Then the head's size is known: one bytes object of
exactly that size is made and filled with memcpy.  The start line is written from C
digits, not formatted.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.unicode cimport PyUnicode_AsEncodedString
from libc.string cimport memcpy

from .errors import HeaderInjectionError


cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object o)
    void* PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)

cdef extern from "http_scan.h":
    const unsigned char cyhttp_class[256]
    unsigned char CYHTTP_TCHAR
    unsigned char CYHTTP_VLAX
    unsigned char CYHTTP_TARGET


cdef struct Text:  # the UTF-8 bytes of one str, borrowed
    const char* p
    Py_ssize_t n

cdef enum:
    STACK_FIELDS = 32  # fields written without a malloc


cdef inline int _utf8(object s, Text* t, list keep) except -1:
    """``s``'s UTF-8 bytes: its own when ASCII, else an encoded copy kept in ``keep``."""
    cdef bytes b
    if PyUnicode_IS_ASCII(s):
        t.p = <const char*>PyUnicode_DATA(s)
        t.n = PyUnicode_GET_LENGTH(s)
    else:
        b = PyUnicode_AsEncodedString(s, "utf-8", "surrogateescape")
        keep.append(b)
        t.p = PyBytes_AS_STRING(b)
        t.n = PyBytes_GET_SIZE(b)
    return 0


cdef inline bint _all(const Text* t, unsigned char cls) noexcept:
    cdef Py_ssize_t i
    for i in range(t.n):
        if not cyhttp_class[<unsigned char>t.p[i]] & cls:
            return False
    return True


cdef inline bint _token(object s, Text* t) noexcept:
    """``s`` (a str) is a token; ``t`` then holds its bytes."""
    if not PyUnicode_IS_ASCII(s):
        return False
    t.p = <const char*>PyUnicode_DATA(s)
    t.n = PyUnicode_GET_LENGTH(s)
    return t.n > 0 and _all(t, CYHTTP_TCHAR)


cdef int _text(object value, str what, Text* t, list keep) except -1:
    _utf8(value, t, keep)
    if not _all(t, CYHTTP_VLAX):
        raise HeaderInjectionError(f"CR, LF or NUL in {what}: {value[:100]!r}")
    return 0


cdef int _version(object version, char* out) except -1:
    """Write ``HTTP/x.y`` (8 bytes) to ``out``."""
    cdef const char* v
    memcpy(out, b"HTTP/", 5)
    out[6] = b"."
    if isinstance(version, tuple):
        major, minor = version
        if not (isinstance(major, int) and isinstance(minor, int)
                and 0 <= major <= 9 and 0 <= minor <= 9):
            raise ValueError(f"invalid HTTP version {version!r}")
        out[5] = <char>(48 + <int>major)
        out[7] = <char>(48 + <int>minor)
        return 0
    if isinstance(version, str):
        v = <const char*>PyUnicode_DATA(version)
        if (not PyUnicode_IS_ASCII(version) or PyUnicode_GET_LENGTH(version) != 3
                or not (b"0" <= v[0] <= b"9") or v[1] != b"." or not (b"0" <= v[2] <= b"9")):
            raise ValueError(f"invalid HTTP version {version!r}")
        out[5] = v[0]
        out[7] = v[2]
        return 0
    raise TypeError(f"version must be a tuple or a str, not {type(version).__name__}")


cdef bytes _head(const Text* start, int nstart, object headers, list keep):
    """The start line's pieces, then the fields, then CRLF: checked, sized, copied."""
    cdef object items_of
    cdef list seq
    if type(headers) is list or type(headers) is tuple:  # no items(): skip the lookup
        seq = list(headers)
    else:
        items_of = getattr(headers, "items", None)  # a CIMultiDict, a dict ...
        seq = list(items_of() if callable(items_of) else headers)
    cdef Py_ssize_t count = len(seq), i, total = 2
    cdef Text stack[2 * STACK_FIELDS]
    cdef Text* f = stack
    cdef Text* t
    cdef object item, name, value
    cdef bytes out
    cdef char* dst
    for i in range(nstart):
        total += start[i].n
    if count > STACK_FIELDS:
        f = <Text*>PyMem_Malloc(2 * count * sizeof(Text))
        if f == NULL:
            raise MemoryError()
    try:
        for i in range(count):  # the pairs: names and the values' type
            item = seq[i]
            if type(item) is not tuple:
                seq[i] = item = tuple(item)  # the pair is kept alive by seq
            name, value = item
            if not isinstance(name, str):
                raise TypeError(f"header name must be a str, not {type(name).__name__}")
            if not _token(name, f + 2 * i):
                raise HeaderInjectionError(f"header name {name[:100]!r} is not a token")
            if not isinstance(value, str):
                raise TypeError(
                    f"value of header {name!r} must be a str, not {type(value).__name__}"
                )
        for i in range(count):  # the values' contents
            name, value = <tuple>seq[i]
            t = f + 2 * i
            if PyUnicode_IS_ASCII(value):  # the usual case, inline
                t[1].p = <const char*>PyUnicode_DATA(value)
                t[1].n = PyUnicode_GET_LENGTH(value)
                if not _all(t + 1, CYHTTP_VLAX):
                    raise HeaderInjectionError(
                        f"CR, LF or NUL in the value of header {name!r}: {value[:100]!r}"
                    )
            else:
                _text(value, f"the value of header {name!r}", t + 1, keep)
            total += t[0].n + t[1].n + 4
        out = PyBytes_FromStringAndSize(NULL, total)
        dst = PyBytes_AS_STRING(out)
        for i in range(nstart):
            memcpy(dst, start[i].p, start[i].n)
            dst += start[i].n
        for i in range(count):
            t = f + 2 * i
            memcpy(dst, t[0].p, t[0].n)
            dst += t[0].n
            dst[0] = b":"
            dst[1] = b" "
            memcpy(dst + 2, t[1].p, t[1].n)
            dst += t[1].n + 2
            dst[0] = b"\r"
            dst[1] = b"\n"
            dst += 2
        dst[0] = b"\r"
        dst[1] = b"\n"
        return out
    finally:
        if f != stack:
            PyMem_Free(f)


def write_response_head(version, status, reason, headers=()):
    """``HTTP/x.y SSS reason`` and the fields, as one bytes object (see the pure twin)."""
    cdef char line[13]  # "HTTP/x.y SSS "
    cdef Text start[3]
    cdef list keep = []
    cdef int code
    _version(version, line)
    if not isinstance(status, int):
        raise TypeError(f"status must be an int, not {type(status).__name__}")
    if not 100 <= status <= 999:
        raise ValueError(f"status {status} is not three digits")
    code = status
    line[8] = line[12] = b" "
    line[9] = <char>(48 + code // 100)
    line[10] = <char>(48 + code // 10 % 10)
    line[11] = <char>(48 + code % 10)
    if not isinstance(reason, str):
        raise TypeError(f"reason must be a str, not {type(reason).__name__}")
    _text(reason, "the reason phrase", start + 1, keep)
    start[0].p = line
    start[0].n = 13
    start[2].p = b"\r\n"
    start[2].n = 2
    return _head(start, 3, headers, keep)


def write_request_head(method, target, version, headers=()):
    """``METHOD target HTTP/x.y`` and the fields, as one bytes object."""
    cdef char line[11]  # " HTTP/x.y\r\n"
    cdef Text start[4]
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, not {type(method).__name__}")
    if not _token(method, start):
        raise HeaderInjectionError(f"method {method[:100]!r} is not a token")
    if not isinstance(target, str):
        raise TypeError(f"target must be a str, not {type(target).__name__}")
    start[2].p = <const char*>PyUnicode_DATA(target)
    start[2].n = PyUnicode_GET_LENGTH(target)
    if not PyUnicode_IS_ASCII(target) or start[2].n == 0 or not _all(start + 2, CYHTTP_TARGET):
        raise HeaderInjectionError(f"request-target {target[:100]!r} is not visible ASCII")
    line[0] = b" "
    _version(version, line + 1)
    line[9] = b"\r"
    line[10] = b"\n"
    start[1].p = b" "
    start[1].n = 1
    start[3].p = line
    start[3].n = 11
    return _head(start, 4, headers, [])
