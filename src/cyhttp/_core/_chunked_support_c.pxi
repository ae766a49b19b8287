# States, bounds, byte-class tables, payload grouping and the size / trailer line
# parsers of the chunked decoder (included by _chunked_c.pyx).

cdef enum:
    _SIZE = 0
    _DATA = 1
    _DATA_END = 2   # the CRLF after the chunk data
    _TRAILER = 3
    _DONE = 4

cdef Py_ssize_t _HUGE = <Py_ssize_t>1 << 62
cdef Py_ssize_t _PIECE_CAP = 65536   # why: see the pure twin's PIECE_CAP
PIECE_CAP = _PIECE_CAP
cdef uint64_t _MAX_SIZE = (<uint64_t>1 << 63) - 1

# _HEX[c]: the value of hex digit c, or -1.  _TOKEN[c]: 1 if c is an RFC 9110 tchar.
# _CTL[c]: 1 if c is a control byte other than HTAB (never allowed in a value).
# _QDTEXT[c] / _QPAIR[c]: 1 if c may stand in a quoted-string as is / after a backslash.
cdef signed char _HEX[256]
cdef unsigned char _TOKEN[256]
cdef unsigned char _CTL[256]
cdef unsigned char _QDTEXT[256]
cdef unsigned char _QPAIR[256]


cdef void _init_tables() noexcept:
    cdef int c
    cdef bytes tchar = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for c in range(256):
        _HEX[c] = -1
        _TOKEN[c] = 0
        _CTL[c] = 1 if (c < 0x20 and c != 0x09) or c == 0x7F else 0
        _QPAIR[c] = 0 if _CTL[c] else 1
        _QDTEXT[c] = 0 if _CTL[c] or c == 0x22 or c == 0x5C else 1
    for c in range(10):
        _HEX[ord("0") + c] = c
    for c in range(6):
        _HEX[ord("a") + c] = 10 + c
        _HEX[ord("A") + c] = 10 + c
    for c in tchar:
        _TOKEN[c] = 1


_init_tables()


cdef list _group_spans(bytes data, const Py_ssize_t* spans, Py_ssize_t count):
    """Payload spans (offset, length pairs) of one feed as pieces of at most PIECE_CAP:
    the block itself when it is all payload, one slice for one span, else each group one
    bytes sized once and filled by memcpy (``[]`` when there are none)."""
    cdef const char* buf = PyBytes_AS_STRING(data)
    cdef Py_ssize_t total = 0
    cdef Py_ssize_t i, j
    cdef char* dst
    cdef list out
    cdef bytes joined
    if count == 0:
        return []
    if count == 1:
        if spans[1] == PyBytes_GET_SIZE(data):
            return [data]
        return [PyBytes_FromStringAndSize(buf + spans[0], spans[1])]
    out = []
    i = 0
    while i < count:
        j = i
        total = 0
        while j < count and (j == i or total + spans[2 * j + 1] <= _PIECE_CAP):
            total += spans[2 * j + 1]
            j += 1
        if j == i + 1:
            out.append(PyBytes_FromStringAndSize(buf + spans[2 * i], total))
        else:
            joined = PyBytes_FromStringAndSize(NULL, total)
            dst = PyBytes_AS_STRING(joined)
            while i < j:
                memcpy(dst, buf + spans[2 * i], spans[2 * i + 1])
                dst += spans[2 * i + 1]
                i += 1
            out.append(joined)
        i = j
    return out


cdef inline Py_ssize_t _skip_bws(const char* s, Py_ssize_t i, Py_ssize_t n) noexcept:
    while i < n and (s[i] == b' ' or s[i] == b'\t'):
        i += 1
    return i


cdef inline Py_ssize_t _skip_token(const char* s, Py_ssize_t i, Py_ssize_t n) noexcept:
    while i < n and _TOKEN[<unsigned char>s[i]]:
        i += 1
    return i


cdef uint64_t _parse_size_line(const char* s, Py_ssize_t n, bint strict) except? 0:
    """The chunk size of one size line (hex digits, optional extensions), checked.

    Extensions (see the pure twin's docstring): ``";" name ["=" value]``, no whitespace,
    the value a token or a closed quoted-string; SP/HTAB after the digits unless strict."""
    cdef Py_ssize_t i = 0, j
    cdef uint64_t size = 0
    cdef signed char digit
    cdef unsigned char c
    while i < n:
        digit = _HEX[<unsigned char>s[i]]
        if digit < 0:
            break
        if i == 16:
            raise TransferEncodingError("chunk size too large")
        size = (size << 4) | <uint64_t>digit
        i += 1
    if i == 0:
        raise TransferEncodingError(f"invalid chunk size line {s[:min(n, 40)]!r}")
    if size > _MAX_SIZE:
        raise TransferEncodingError("chunk size too large")
    if not strict:
        i = _skip_bws(s, i, n)
    while i < n:  # one extension per round
        if s[i] != b';':
            raise TransferEncodingError(f"invalid chunk size line {s[:min(n, 40)]!r}")
        j = i + 1
        i = _skip_token(s, j, n)
        if i == j:
            raise TransferEncodingError(f"invalid chunk size line {s[:min(n, 40)]!r}")
        if i == n or s[i] != b'=':
            continue
        j = i = i + 1
        if i < n and s[i] == b'"':
            i += 1
            while True:
                if i == n:
                    raise TransferEncodingError(f"invalid chunk size line {s[:min(n, 40)]!r}")
                c = <unsigned char>s[i]
                if c == 0x22:  # the closing quote
                    i += 1
                    break
                if c == 0x5C and i + 1 < n and _QPAIR[<unsigned char>s[i + 1]]:
                    i += 2
                elif _QDTEXT[c]:
                    i += 1
                else:
                    raise TransferEncodingError(f"invalid chunk size line {s[:min(n, 40)]!r}")
        else:
            i = _skip_token(s, i, n)
            if i == j:
                raise TransferEncodingError(f"invalid chunk size line {s[:min(n, 40)]!r}")
    return size


cdef int _parse_trailer_line(const char* s, Py_ssize_t n, Py_ssize_t* name_end, Py_ssize_t* vs,
                             Py_ssize_t* ve) except -1:
    """Split one non-empty trailer line into name [0, name_end) and trimmed value [vs, ve)."""
    cdef Py_ssize_t i = 0
    cdef Py_ssize_t j
    cdef Py_ssize_t k
    cdef Py_ssize_t m
    while i < n and _TOKEN[<unsigned char>s[i]]:
        i += 1
    if i == 0 or i == n or s[i] != b':':
        raise InvalidHeader(f"invalid trailer field {s[:min(n, 40)]!r}")
    j = i + 1
    k = n
    while j < k and (s[j] == b' ' or s[j] == b'\t'):
        j += 1
    while k > j and (s[k - 1] == b' ' or s[k - 1] == b'\t'):
        k -= 1
    for m in range(j, k):
        if _CTL[<unsigned char>s[m]]:
            raise InvalidHeader("control character in trailer value")
    name_end[0] = i
    vs[0] = j
    ve[0] = k
    return 0
