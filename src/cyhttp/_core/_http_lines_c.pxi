# The compiled parsers' head scanning, included by _http_parser_c.pyx (it shares that
# module's cimports, C declarations and constants): lines are checked as their LF arrives
# (the C in csrc/http_scan.h; the start line by the parser's _start_line hook), only
# offsets are kept, and the head is built once at the blank line, from the pieces below
# both heads share.  The functions take the parser as ``r`` (plain C calls).

cdef int _append_head(MessageParser r, const char* p, Py_ssize_t n) except -1:
    cdef Py_ssize_t need = r._buf_len + n, cap
    cdef char* grown
    if need > r._buf_cap:
        cap = max(need, min(2 * r._buf_cap, r._max_head + 1), 256)
        grown = <char*>PyMem_Realloc(r._buf, cap)
        if grown == NULL:
            raise MemoryError()
        r._buf = grown
        r._buf_cap = cap
    memcpy(r._buf + r._buf_len, p, n)
    r._buf_len = need
    return 0


cdef Py_ssize_t _scan_head(MessageParser r, const char* p, Py_ssize_t n) except -2:
    """Check the complete lines of ``p[:n]`` (the head so far); returns the offset
    after the blank line, or -1 when the head is not complete yet."""
    cdef Py_ssize_t i = r._scan, start = r._line_start, lf, stop, partial
    cdef Py_ssize_t limit = r._max_field if r._have_start else r._max_line
    cdef const char* q
    while True:
        q = <const char*>memchr(p + i, b"\n", n - i)
        if q == NULL:
            break
        lf = q - p
        if lf + 1 > r._max_head:
            raise LineTooLong(f"{r._kind} head over {r._max_head} bytes")
        stop = lf - 1 if lf > start and p[lf - 1] == b"\r" else lf
        if stop - start > limit:
            raise LineTooLong(f"header line over {limit} bytes")
        if stop == lf and not r._lax:
            raise BadHttpMessage(f"bare LF in the {r._kind} head (expected CRLF)")
        i = lf + 1
        if not r._have_start:
            if stop > start:
                r._start_line(p, start, stop)
                r._have_start = True
                r._block_start = i
                limit = r._max_field
        elif stop > start:
            if r._nfields >= r._max_headers:
                raise TooManyHeaders(f"more than {r._max_headers} header fields")
            _field(r, p, start, stop)
        else:
            r._line_start = start  # where the blank line begins: the block's end
            return i
        start = i
    if n > r._max_head:
        raise LineTooLong(f"{r._kind} head over {r._max_head} bytes")
    partial = n - start
    if partial and p[n - 1] == b"\r":
        partial -= 1
    if partial > limit:
        raise LineTooLong(f"header line over {limit} bytes")
    r._scan = n
    r._line_start = start
    return -1


cdef int _field(MessageParser r, const char* p, Py_ssize_t start, Py_ssize_t stop) except -1:
    cdef Py_ssize_t name_len, vs, ve, cap, k
    cdef Py_ssize_t* grown
    cdef const char* name = p + start
    if cyhttp_field(name, stop - start, CYHTTP_VLAX if r._lax else CYHTTP_VSTRICT,
                    &name_len, &vs, &ve) < 0:
        raise InvalidHeader(
            f"invalid header field {PyBytes_FromStringAndSize(name, min(stop - start, 100))!r}"
        )
    if r._nfields == r._fields_cap:
        cap = min(max(16, 2 * r._fields_cap), r._max_headers)
        grown = <Py_ssize_t*>PyMem_Realloc(r._fields, 4 * cap * sizeof(Py_ssize_t))
        if grown == NULL:
            raise MemoryError()
        r._fields = grown
        r._fields_cap = cap
    k = 4 * r._nfields
    r._fields[k] = start
    r._fields[k + 1] = name_len
    r._fields[k + 2] = start + vs
    r._fields[k + 3] = ve - vs
    r._nfields += 1
    cyhttp_framing_field(&r._fr, name, name_len, name + vs, ve - vs)
    return 0


cdef inline long long _length(cyhttp_framing* fr) except -2:
    """Content-Length (-1 without one), after the checks both kinds of message share:
    repeated or invalid Content-Length, Transfer-Encoding with it, chunked twice."""
    cdef long long length = -1
    if fr.cl_count > 1:
        raise ContentLengthError("repeated Content-Length")
    if fr.cl_count == 1:
        if not fr.cl_valid:
            raise ContentLengthError("invalid Content-Length")
        length = fr.cl_value
    if fr.te_seen:
        if length >= 0:
            raise TransferEncodingError("both Transfer-Encoding and Content-Length")
        if fr.te_chunked > 1:
            raise TransferEncodingError("chunked applied twice")
    return length


cdef inline object _headers(MessageParser r, const char* p):
    """The head's fields as a CIMultiDictProxy (names cached where known)."""
    cdef Py_ssize_t i, k
    cdef Py_ssize_t* f = r._fields
    cdef list pairs
    cdef object md
    cdef MultiDict_CAPI* capi = _MD
    if capi != NULL:
        md = CIMultiDict_New(capi, r._nfields)
        for i in range(r._nfields):
            k = 4 * i
            MultiDict_Add(capi, md, _name(p + f[k], f[k + 1]),
                          PyUnicode_DecodeUTF8(p + f[k + 2], f[k + 3], "surrogateescape"))
        return CIMultiDictProxy_New(capi, md)
    pairs = []
    for i in range(r._nfields):
        k = 4 * i
        pairs.append((_name(p + f[k], f[k + 1]),
                      PyUnicode_DecodeUTF8(p + f[k + 2], f[k + 3], "surrogateescape")))
    return CIMultiDictProxy(CIMultiDict(pairs))


cdef inline bytes _field_block(MessageParser r, const char* p):
    """A copy of the field lines (raw_headers are rebuilt from it if asked)."""
    return PyBytes_FromStringAndSize(p + r._block_start, r._line_start - r._block_start)


cdef inline object _encoding(cyhttp_framing* fr):
    return ENCODINGS[fr.encoding] if 0 <= fr.encoding < 4 else None
