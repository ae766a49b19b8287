# The compiled frame reader's message side, included by _ws_reader_c.pyx before
# FrameReader (it shares that module's cimports, C declarations and constants):
# WSMessage building, unmasking, and ``_MessageBuilder``, FrameReader's base class, which
# holds the current frame and the open data message and assembles payload into messages
# (FrameReader reads the headers and the control frames).  A base class rather than
# module functions: its cdef methods stay separate C functions, as they were when this
# was one class (inlined into FrameReader._feed they made small messages ~3% slower).

cdef extern from *:
    """
    /* A WSMessage (a tuple subclass without __dict__) built the way tuple.__new__
       builds one, minus the argument tuple and the method lookup.  It holds only an
       enum member, str/bytes/int and a str, so it can never be part of a reference
       cycle: it is untracked, and 10,000 messages in one list cost the cyclic GC
       nothing (profiling showed GC traversal as the largest cost of small messages). */
    static PyObject *
    cyhttp_ws_message(PyObject *cls, PyObject *kind, PyObject *data, PyObject *extra)
    {
        PyObject *self = ((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 3);
        if (self == NULL)
            return NULL;
        Py_INCREF(kind);
        PyTuple_SET_ITEM(self, 0, kind);
        Py_INCREF(data);
        PyTuple_SET_ITEM(self, 1, data);
        Py_INCREF(extra);
        PyTuple_SET_ITEM(self, 2, extra);
        PyObject_GC_UnTrack(self);
        return self;
    }
    """
    object cyhttp_ws_message(object cls, object kind, object data, object extra)


cdef inline object _msg(object kind, object data, object extra):
    return cyhttp_ws_message(_WSMessage, kind, data, extra)


cdef inline object _bad(str message):
    return WSProtocolError(1002, message)


cdef inline void _unmask(const unsigned char *key, uint64_t done,
                         unsigned char *data, size_t n) noexcept nogil:
    cdef unsigned char k[4]
    cdef int phase = <int>(done & 3)
    cdef int i
    for i in range(4):
        k[i] = key[(i + phase) & 3]
    cyhttp_ws_mask(k, data, n)


cdef bytes _unmasked_copy(const unsigned char *key, uint64_t done,
                          const unsigned char *p, Py_ssize_t n):
    # A fresh object: PyBytes_FromStringAndSize(p, 1) may hand out CPython's shared
    # one-byte singletons, which must never be written to.
    cdef bytes out = PyBytes_FromStringAndSize(NULL, n)
    cdef unsigned char *d = <unsigned char *>PyBytes_AS_STRING(out)
    if n:
        memcpy(d, p, n)
        _unmask(key, done, d, n)
    return out


cdef class _MessageBuilder:
    """The current frame and the open data message (FrameReader's base)."""

    cdef:
        uint64_t left, done, msg_size
        bint decode_text, fin, masked, msg_deflate
        int op, msg_op
        cyhttp_utf8_state utf8
        unsigned char key[4]
        unsigned char *buf
        size_t buf_len, buf_cap
        object inflater, direct

    def __cinit__(self):
        self.buf = NULL
        self.buf_len = 0
        self.buf_cap = 0

    def __dealloc__(self):
        free(self.buf)
        self.buf = NULL

    cdef object _plain(self, const unsigned char *p, Py_ssize_t n):
        cdef bytes payload
        cdef const unsigned char *q = p
        if self.masked:
            payload = _unmasked_copy(self.key, 0, p, n)
            q = <const unsigned char *>PyBytes_AS_STRING(payload)
        if self.op == 1:
            if self.decode_text:
                try:
                    return _msg(_TEXT, PyUnicode_DecodeUTF8(<const char *>q, n, NULL), "")
                except UnicodeDecodeError:
                    raise bad_text() from None
            cyhttp_utf8_reset(&self.utf8)
            if cyhttp_utf8_feed(&self.utf8, q, n) or not cyhttp_utf8_complete(&self.utf8):
                raise bad_text()
        if not self.masked:
            payload = PyBytes_FromStringAndSize(<const char *>p, n)
        return _msg(_TEXT if self.op == 1 else _BINARY, payload, "")

    cdef int _reserve(self, size_t n) except -1:
        cdef size_t cap
        cdef unsigned char *grown
        if self.buf_len + n <= self.buf_cap:
            return 0
        cap = self.buf_cap * 2
        if cap < self.buf_len + n:
            cap = self.buf_len + n
        if cap < 256:
            cap = 256
        grown = <unsigned char *>realloc(self.buf, cap)
        if grown == NULL:
            raise MemoryError()
        self.buf = grown
        self.buf_cap = cap
        return 0

    cdef int _append(self, const unsigned char *p, Py_ssize_t n) except -1:
        """Inflated payload, kept as is: the text of a compressed message is validated
        once it is whole (see the pure twin's decisions)."""
        if n == 0:
            return 0
        self._reserve(n)
        memcpy(self.buf + self.buf_len, p, n)
        self.buf_len += n
        return 0

    cdef int _data_chunk(self, const unsigned char *p, Py_ssize_t n) except -1:
        cdef bytes chunk
        cdef unsigned char *dest
        if self.msg_deflate:
            if self.masked:
                chunk = _unmasked_copy(self.key, self.done, p, n)
            else:
                chunk = PyBytes_FromStringAndSize(<const char *>p, n)
            chunk = self.inflater.inflate(chunk, self.msg_size)
            self.msg_size += PyBytes_GET_SIZE(chunk)
            return self._append(<const unsigned char *>PyBytes_AS_STRING(chunk),
                                PyBytes_GET_SIZE(chunk))
        if self.op and self.fin and self.done + self.left <= _DIRECT_MAX:
            # One frame, one message, its size known: write straight into the result.
            if self.direct is None:
                self.direct = PyBytes_FromStringAndSize(NULL, <Py_ssize_t>self.left)
            dest = <unsigned char *>PyBytes_AS_STRING(self.direct) + self.done
        else:
            self._reserve(n)
            dest = self.buf + self.buf_len
            self.buf_len += n
        memcpy(dest, p, n)
        if self.masked:
            _unmask(self.key, self.done, dest, n)
        if self.msg_op == 1 and cyhttp_utf8_feed(&self.utf8, dest, n):
            raise bad_text()
        return 0

    cdef object _finish_message(self):
        cdef bytes tail
        cdef int op
        cdef Py_ssize_t n
        if self.msg_deflate:
            tail = self.inflater.inflate(b"", self.msg_size, True)
            self.msg_size += PyBytes_GET_SIZE(tail)
            self._append(<const unsigned char *>PyBytes_AS_STRING(tail), PyBytes_GET_SIZE(tail))
            if self.msg_op == 1 and cyhttp_utf8_feed(&self.utf8, self.buf, self.buf_len):
                raise bad_text()
        op = self.msg_op
        self.msg_op = 0
        if self.direct is not None:
            data, self.direct = self.direct, None
            if op == 1:
                if not cyhttp_utf8_complete(&self.utf8):
                    raise bad_text()
                if self.decode_text:
                    data = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data), NULL)
            return _msg(_TEXT if op == 1 else _BINARY, data, "")
        n = <Py_ssize_t>self.buf_len
        self.buf_len = 0
        if op == 1:
            if not cyhttp_utf8_complete(&self.utf8):
                raise bad_text()
            if self.decode_text:
                result = _msg(_TEXT, PyUnicode_DecodeUTF8(<const char *>self.buf, n, NULL), "")
            else:
                result = _msg(_TEXT, PyBytes_FromStringAndSize(<const char *>self.buf, n), "")
        else:
            result = _msg(_BINARY, PyBytes_FromStringAndSize(<const char *>self.buf, n), "")
        if self.buf_cap > _KEEP_CAPACITY:
            free(self.buf)
            self.buf = NULL
            self.buf_cap = 0
        return result
