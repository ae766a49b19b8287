# The compiled twin's request side: RequestHead and RequestParser (strict, as a server
# must be).  Included by _http_parser_c.pyx; the rules, in order, are those of
# _http_request_py.py's docstring.  The request line is checked in C
# (cyhttp_request_line, cyhttp_target_form in csrc/http_scan.h); only on an error is it
# looked at again from Python, to name what is wrong in the pure twin's words.

# The common methods as str objects made once (a request's method is then not decoded).
cdef tuple METHODS = ("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH",
                      "CONNECT", "TRACE")
cdef tuple METHODS_B = tuple([m.encode("ascii") for m in METHODS])


cdef inline object _method(const char* p, Py_ssize_t n):
    cdef Py_ssize_t i
    cdef bytes known
    for i in range(9):
        known = <bytes>METHODS_B[i]
        if PyBytes_GET_SIZE(known) == n and memcmp(p, PyBytes_AS_STRING(known), n) == 0:
            return METHODS[i]
    return PyUnicode_DecodeASCII(p, n, NULL)


cdef int _request_line_error(int rc, bytes line) except -1:
    """Raise what is wrong with a request line that C refused (``rc``: its code, or 0
    for a target whose form does not fit the method)."""
    cdef Py_ssize_t sp1 = line.find(b" "), sp2
    if rc == CYHTTP_RL_METHOD:
        raise BadHttpMethod(f"invalid method {(line[:sp1] if sp1 >= 0 else line)[:40]!r}")
    if rc == CYHTTP_RL_LINE:
        raise BadStatusLine(f"invalid request line {line[:100]!r}")
    sp2 = line.rfind(b" ")
    if rc == CYHTTP_RL_VERSION:
        raise BadHttpVersion(f"unsupported HTTP version {line[sp2 + 1:][:40]!r}")
    target = line[sp1 + 1:sp2]
    if rc == CYHTTP_RL_TARGET:
        raise InvalidURLError(f"invalid request-target {target[:100]!r}")
    raise InvalidURLError(
        f"request-target {target[:100]!r} does not fit method {line[:sp1].decode('ascii')}"
    )


cdef class RequestHead(RawHeaders):
    """One parsed request head (request line, fields, and what framing needs).

    ``path`` is the raw request-target as sent (aiohttp's ``RawRequestMessage.path``).
    """

    cdef:
        readonly str method
        readonly str path
        readonly tuple version
        readonly object headers
        readonly object content_length
        readonly bint chunked
        readonly bint keep_alive
        readonly bint upgrade
        readonly object encoding

    def __repr__(self):
        return (
            f"<RequestHead {self.method} {self.path!r} HTTP/{self.version[0]}.{self.version[1]}"
            f" headers={len(self.headers)} length={self.content_length} "
            f"chunked={self.chunked} keep_alive={self.keep_alive}>"
        )


cdef class RequestParser(MessageParser):
    """Sans-IO parser of a stream of HTTP/1.x requests (what a server reads)."""

    cdef:
        Py_ssize_t _method_at, _method_len, _target_start, _target_end

    def __init__(self, *, Py_ssize_t max_line_size=8190, Py_ssize_t max_field_size=8190,
                 Py_ssize_t max_headers=128, max_head_size=None):
        self._setup("request", max_line_size, max_field_size, max_headers, max_head_size, False)

    def resume(self):
        """The upgrade was declined: parse the bytes kept since as HTTP again (none if
        that request was the connection's last)."""
        cdef bytes data
        if not self.upgraded:
            return []
        self.upgraded = False
        self._state = CLOSED if self._last else HEAD
        data = bytes(self._tail)
        del self._tail[:]
        return self.feed(data) if data else []

    cdef int _start_line(self, const char* p, Py_ssize_t start, Py_ssize_t stop) except -1:
        cdef Py_ssize_t mlen = 0, ts = 0, te = 0
        cdef const char* line = p + start
        cdef int rc = cyhttp_request_line(line, stop - start, &mlen, &ts, &te, &self._minor)
        if rc < 0 or not cyhttp_target_form(line, mlen, line + ts, te - ts):
            _request_line_error(rc, PyBytes_FromStringAndSize(line, stop - start))
        self._method_at = start
        self._method_len = mlen
        self._target_start = start + ts
        self._target_end = start + te
        return 0

    cdef int _finish(self, const char* p, list events) except -1:
        cdef cyhttp_framing* fr = &self._fr
        cdef int minor = self._minor
        cdef long long length = _length(fr)
        cdef bint chunked = False, connect
        cdef RequestHead head
        if fr.te_seen:
            if minor == 0:
                raise TransferEncodingError("Transfer-Encoding in an HTTP/1.0 request")
            if not fr.te_last_chunked:
                raise TransferEncodingError("the last transfer coding of a request must be chunked")
            chunked = True
        if fr.host_count == 0:
            if minor == 1:
                raise BadHttpMessage("missing Host header in an HTTP/1.1 request")
        elif fr.host_count > 1:
            raise InvalidHeader("duplicate Host header")
        if fr.singleton_dups:
            _duplicate_singleton(fr.singleton_dups)
        head = RequestHead.__new__(RequestHead)
        head.method = _method(p + self._method_at, self._method_len)
        head.path = PyUnicode_DecodeASCII(p + self._target_start,
                                          self._target_end - self._target_start, NULL)
        head.version = V11 if minor else V10
        head.headers = _headers(self, p)
        head._block = _field_block(self, p)
        head.content_length = None if length < 0 else length
        head.chunked = chunked
        head.keep_alive = not fr.conn_close and (minor >= 1 or fr.conn_keep_alive)
        head.upgrade = fr.conn_upgrade and fr.upgrade == 1
        head.encoding = _encoding(fr)
        connect = self._method_len == 7 and memcmp(p + self._method_at, b"CONNECT", 7) == 0
        self._reset_head()
        events.append(head)
        self._last = not head.keep_alive
        if connect:  # no body: what follows the head belongs to the tunnel
            self._switch = True
            self._begin_body(events, False, -1, False)
        else:
            self._switch = head.upgrade
            self._begin_body(events, chunked, length, False)
        return 0


cdef int _duplicate_singleton(unsigned int dups) except -1:
    """InvalidHeader naming the first repeated singleton field (see the pure twin)."""
    cdef int i
    for i in range(CYHTTP_NSINGLETONS):
        if dups & (1u << i):
            raise InvalidHeader(f"duplicate {CYHTTP_SINGLETONS[i].decode('ascii')} header")
    return 0
