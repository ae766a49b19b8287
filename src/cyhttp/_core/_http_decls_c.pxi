# The parsers' C declarations: the head scanners (csrc/http_scan.h) and multidict's C
# API (csrc/md_capi.h), with the switch tests use to compare both builds.

cdef extern from "http_scan.h":
    unsigned char CYHTTP_VSTRICT
    unsigned char CYHTTP_VLAX
    int cyhttp_status_line(const char* p, Py_ssize_t n, int* minor, int* status,
                           Py_ssize_t* rs, Py_ssize_t* re)
    int CYHTTP_RL_LINE, CYHTTP_RL_METHOD, CYHTTP_RL_VERSION, CYHTTP_RL_TARGET
    int cyhttp_request_line(const char* p, Py_ssize_t n, Py_ssize_t* method_len,
                            Py_ssize_t* ts, Py_ssize_t* te, int* minor)
    int cyhttp_target_form(const char* m, Py_ssize_t mlen, const char* t, Py_ssize_t n)
    int cyhttp_field(const char* p, Py_ssize_t n, unsigned char vclass,
                     Py_ssize_t* name_len, Py_ssize_t* vs, Py_ssize_t* ve)
    int cyhttp_ieq(const char* p, Py_ssize_t n, const char* lit, Py_ssize_t m)
    ctypedef struct cyhttp_framing:
        int cl_count, cl_valid
        long long cl_value
        int te_seen, te_chunked, te_last_chunked
        int conn_close, conn_keep_alive, conn_upgrade
        int upgrade, encoding
        int host_count
        unsigned int singletons, singleton_dups
    int CYHTTP_NSINGLETONS
    const char* CYHTTP_SINGLETONS[8]
    void cyhttp_framing_reset(cyhttp_framing* f)
    void cyhttp_framing_field(cyhttp_framing* f, const char* name, Py_ssize_t nlen,
                              const char* v, Py_ssize_t vlen)

# How this works: the head is scanned line by line with memchr, each line checked in C as
# soon as its LF is seen, and only offsets are kept (four per field, in a malloc'd array);
# framing facts (Content-Length, Transfer-Encoding, Connection, ...) are read from the
# value bytes then too.  Python objects are made once, when the blank line arrives: the
# decoded names and values, one CIMultiDict built from a list, and the head.  The raw
# (bytes) fields are rebuilt from a copy of the field block only if someone asks.  A head
# that spans feeds is gathered in a malloc'd buffer (never more than max_head_size + 1
# bytes); the LF search resumes where it stopped, so a slow drip costs O(n).
# _http_head_c.pxi holds the name table and the heads' shared base; _http_message_c.pxi
# the state machine and the body-framing rule; _http_lines_c.pxi the line scanning and
# what both heads are built from; _http_parser_c.pyx the response side,
# _http_request_c.pxi the request side.

cdef extern from "md_capi.h":
    ctypedef struct MultiDict_CAPI:
        pass
    MultiDict_CAPI* cyhttp_md_capi()
    object CIMultiDict_New(MultiDict_CAPI* capi, Py_ssize_t n)
    int MultiDict_Add(MultiDict_CAPI* capi, object md, object key, object value) except -1
    object CIMultiDictProxy_New(MultiDict_CAPI* capi, object md)

# multidict's C API when built in and the installed multidict provides it (about 2x
# faster than CIMultiDict(pairs) for a typical head), else NULL: the Python constructors.
cdef MultiDict_CAPI* _MD_FOUND = cyhttp_md_capi()
cdef MultiDict_CAPI* _MD = _MD_FOUND


def multidict_capi(use=None):
    """Whether heads are built through multidict's C API; ``use`` switches it (tests)."""
    global _MD
    if use is not None:
        _MD = _MD_FOUND if use else NULL
    return _MD != NULL
