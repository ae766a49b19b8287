# The compiled twin's MessageParser: the state machine, the limits and the body-framing
# rule that ResponseParser and RequestParser share (the rules are written out once, in
# _http_message_py.py's docstring).  Included by _http_parser_c.pyx; a subclass fills
# the two hooks, _start_line (check one start line, keep its offsets) and _finish (the
# blank line is in: build the head, pick the body with _begin_body).

cdef enum:  # parser states
    HEAD
    LENGTH
    CHUNKED
    UNTIL_EOF
    UPGRADED
    CLOSED


cdef class MessageParser:
    """Sans-IO parser of a stream of HTTP/1.x messages (a subclass knows which kind)."""

    cdef:
        Py_ssize_t _max_line, _max_field, _max_headers, _max_head
        bint _lax
        str _kind  # "response" / "request", for messages
        int _state
        # the head in progress
        char* _buf
        Py_ssize_t _buf_len, _buf_cap
        Py_ssize_t _scan, _line_start, _block_start
        bint _have_start
        int _minor
        Py_ssize_t* _fields
        Py_ssize_t _nfields, _fields_cap
        cyhttp_framing _fr  # framing facts gathered while the fields go by
        # the body
        long long _remaining
        ChunkedDecoder _chunks
        bint _switch  # the message in progress ends HTTP on this connection
        bint _last  # ... or the connection itself
        bytearray _tail
        readonly bint upgraded

    def __cinit__(self):
        self._buf = NULL
        self._fields = NULL

    def __dealloc__(self):
        PyMem_Free(self._buf)
        PyMem_Free(self._fields)

    @cython.final
    cdef int _setup(self, str kind, Py_ssize_t max_line_size, Py_ssize_t max_field_size,
                    Py_ssize_t max_headers, object max_head_size, bint lax) except -1:
        self._max_line = max_line_size
        self._max_field = max_field_size
        self._max_headers = max_headers
        if max_head_size is None:
            max_head_size = max_line_size + max_headers * (max_field_size + 2) + 4
        self._max_head = max_head_size
        self._lax = lax
        self._kind = kind
        self._state = HEAD
        self._switch = self._last = False
        self._tail = bytearray()
        self.upgraded = False
        self._reset_head()
        return 0

    @cython.final
    cdef inline void _reset_head(self):
        self._buf_len = self._scan = self._line_start = self._block_start = 0
        self._have_start = False
        self._nfields = 0
        cyhttp_framing_reset(&self._fr)

    def unparsed(self):
        """After an upgrade: the bytes that followed the message, not parsed as HTTP."""
        return bytes(self._tail)

    def feed(self, bytes data not None):
        """Parse ``data``; returns the events it completes (``b""`` means EOF)."""
        cdef list events = []
        cdef ChunkedDecoder decoder
        cdef list pieces
        cdef object ends
        cdef Py_ssize_t pos = 0, end = PyBytes_GET_SIZE(data), take
        cdef int state
        if end == 0:
            return self.feed_eof()
        try:
            while pos < end:
                state = self._state
                if state == HEAD:
                    pos = self._head(data, pos, events)
                elif state == LENGTH:
                    if pos == 0 and end <= self._remaining:
                        events.append(data)  # the whole chunk is body: no copy
                        take = end
                    else:
                        take = min(self._remaining, end - pos)
                        events.append(data[pos:pos + take])
                    pos += take
                    self._remaining -= take
                    if self._remaining == 0:
                        self._end_message(events)
                elif state == CHUNKED:
                    decoder = self._chunks
                    pieces = decoder.feed(data[pos:] if pos else data)
                    ends = decoder.chunk_ends()
                    if ends is not None:  # before the payload (see the pure twin)
                        events.append(ends)
                    events.extend(pieces)  # the last is the EndOfMessage, when done
                    pos = end
                    if decoder.done:
                        data = decoder.unused()
                        pos = 0
                        end = PyBytes_GET_SIZE(data)
                        self._chunks = None
                        self._next_message()
                elif state == UNTIL_EOF:
                    events.append(data[pos:] if pos else data)
                    pos = end
                elif state == UPGRADED:
                    self._tail += data[pos:]
                    pos = end
                else:  # CLOSED: what follows the last message is not read
                    pos = end
        except ParseError as exc:
            if self._state == CHUNKED:  # the decoder raised: the chunks it passed first
                ends = self._chunks.chunk_ends()
                if ends is not None:
                    events.append(ends)
            exc.events[:0] = events  # before the payload the chunked decoder put there
            raise
        return events

    def body_remaining(self):
        """Bytes of a Content-Length body still to come; 0 anywhere else."""
        return self._remaining if self._state == LENGTH else 0

    def skip_body(self, Py_ssize_t n):
        """``n`` body bytes arrived outside ``feed``; ``[MESSAGE_END]`` if that ends the body."""
        cdef list events = []
        if self._state != LENGTH or n < 0 or n > self._remaining:
            raise ValueError(f"skip_body({n}) does not fit the {self.body_remaining()} body bytes to come")
        self._remaining -= n
        if not self._remaining:
            self._end_message(events)
        return events

    def feed_eof(self):
        """The peer closed: ends an until-EOF body, or raises if a message is cut short."""
        cdef int state = self._state
        if state == UNTIL_EOF:
            self._state = HEAD
            return [MESSAGE_END]
        if state == HEAD:
            if self._have_start or self._buf_len > self._line_start:
                raise IncompleteMessage(f"connection closed in the middle of a {self._kind} head")
            return []
        if state == LENGTH:
            raise ContentLengthError(
                f"connection closed with {self._remaining} bytes of the body missing"
            )
        if state == CHUNKED:
            raise TransferEncodingError("connection closed in the middle of a chunked body")
        return []

    # -- the hooks ----------------------------------------------------------------

    cdef int _start_line(self, const char* p, Py_ssize_t start, Py_ssize_t stop) except -1:
        """Check the start line ``p[start:stop]`` (non-empty) and keep its offsets."""
        raise NotImplementedError

    cdef int _finish(self, const char* p, list events) except -1:
        """The blank line is in: build the head from ``p`` and pick the body reader."""
        raise NotImplementedError

    # -- the head -------------------------------------------------------------------

    @cython.final
    cdef Py_ssize_t _head(self, bytes data, Py_ssize_t pos, list events) except -1:
        """Consume head bytes from ``data[pos:]``; returns the new position."""
        cdef const char* p = PyBytes_AS_STRING(data) + pos
        cdef Py_ssize_t n = PyBytes_GET_SIZE(data) - pos, r, old, take
        if self._buf_len == 0:
            r = _scan_head(self, p, n)
            if r >= 0:
                self._finish(p, events)
                return pos + r
            _append_head(self, p, n)  # n <= max_head_size here, or _scan_head raised
            return pos + n
        # a head that is longer than the limit needs no more than limit + 1 bytes to tell
        old = self._buf_len
        take = min(n, self._max_head + 1 - old)
        _append_head(self, p, take)
        r = _scan_head(self, self._buf, self._buf_len)
        if r >= 0:
            self._finish(self._buf, events)
            return pos + r - old
        return pos + take

    # -- the body-framing rule, for both kinds of message ----------------------------

    @cython.final
    cdef inline int _begin_body(self, list events, bint chunked, long long length,
                                bint until_eof) except -1:
        """After a head: chunked, else a positive length, else (no length at all: -1)
        until EOF where allowed, else no body."""
        if chunked:
            self._chunks = ChunkedDecoder(
                max_line_size=self._max_line, max_trailers=self._max_headers,
                max_field_size=self._max_field, strict=self._kind == "request",
            )
            self._state = CHUNKED
        elif length > 0:
            self._remaining = length
            self._state = LENGTH
        elif length < 0 and until_eof:
            self._state = UNTIL_EOF
        else:
            self._end_message(events)
        return 0

    @cython.final
    cdef inline int _end_message(self, list events) except -1:
        events.append(MESSAGE_END)
        self._next_message()
        return 0

    @cython.final
    cdef inline void _next_message(self):
        """The message ended: the next one, or no more HTTP after a protocol switch or
        the last message of the connection."""
        if self._switch:
            self._switch = False
            self.upgraded = True
            self._state = UPGRADED
        elif self._last:
            self._state = CLOSED
        else:
            self._state = HEAD
