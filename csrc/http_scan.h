/* Byte classes and line checks for the HTTP/1.1 parsers (_http_parser_c.pyx).
 *
 * How this works: one 256-entry table gives each byte its classes (token char, strict
 * field-value byte, lax field-value byte), so a check is one load and a mask per byte.
 * Lines arrive already split (memchr for LF in the .pyx) and length-checked; these
 * functions only say whether one line is well formed and where its parts are.  The
 * rules are those of the pure-Python twin's regular expressions (_http_head_py.py,
 * _http_parser_py.py, _http_request_py.py).
 */
#ifndef CYHTTP_HTTP_SCAN_H
#define CYHTTP_HTTP_SCAN_H

#include <stddef.h>
#include <string.h>
#include <Python.h>

#define CYHTTP_TCHAR 1   /* RFC 9110 tchar */
#define CYHTTP_VSTRICT 2 /* HTAB, SP, VCHAR, obs-text: no CTL but HTAB */
#define CYHTTP_VLAX 4    /* anything but NUL, CR, LF (aiohttp's lenient client) */
#define CYHTTP_TARGET 8  /* request-target bytes: visible ASCII, 0x21-0x7E */
#define CYHTTP_HOST 16   /* reg-name: unreserved, sub-delims and '%' (RFC 3986) */
#define CYHTTP_SCHEME 32 /* after a scheme's first letter: ALPHA, DIGIT, '+', '-', '.' */

static const unsigned char cyhttp_class[256] = {
     0,  4,  4,  4,  4,  4,  4,  4,  4,  6,  0,  4,  4,  0,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     6, 31, 14, 15, 31, 31, 31, 31, 30, 30, 31, 63, 30, 63, 63, 14,
    63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 14, 30, 14, 30, 14, 14,
    14, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 14, 14, 14, 15, 31,
    15, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63,
    63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 63, 14, 15, 14, 31,  4,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,
     6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6,  6
};

/* "HTTP/1.x SSS[ reason]" → 0 and the parts (reason trimmed of SP/HTAB); -1 if bad. */
static inline int cyhttp_status_line(const char *p, Py_ssize_t n, int *minor, int *status,
                                     Py_ssize_t *rs, Py_ssize_t *re)
{
    const unsigned char *u = (const unsigned char *)p;
    Py_ssize_t i, e;
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0) return -1;
    if (u[7] < '0' || u[7] > '9' || u[8] != ' ') return -1;
    if (u[9] < '1' || u[9] > '9' || u[10] < '0' || u[10] > '9' || u[11] < '0' || u[11] > '9')
        return -1;
    *minor = u[7] - '0';
    *status = (u[9] - '0') * 100 + (u[10] - '0') * 10 + (u[11] - '0');
    if (n == 12) {
        *rs = *re = 12;
        return 0;
    }
    if (u[12] != ' ') return -1;
    for (i = 13; i < n; i++)
        if (!(cyhttp_class[u[i]] & CYHTTP_VSTRICT)) return -1;
    i = 13;
    e = n;
    while (i < e && (u[i] == ' ' || u[i] == '\t')) i++;
    while (e > i && (u[e - 1] == ' ' || u[e - 1] == '\t')) e--;
    *rs = i;
    *re = e;
    return 0;
}

/* "token:" OWS value OWS → 0, the name length and the trimmed value; -1 if bad. */
static inline int cyhttp_field(const char *p, Py_ssize_t n, unsigned char vclass,
                               Py_ssize_t *name_len, Py_ssize_t *vs, Py_ssize_t *ve)
{
    const unsigned char *u = (const unsigned char *)p;
    Py_ssize_t i = 0, j, e;
    while (i < n && (cyhttp_class[u[i]] & CYHTTP_TCHAR)) i++;
    if (i == 0 || i == n || u[i] != ':') return -1;
    *name_len = i;
    i++;
    while (i < n && (u[i] == ' ' || u[i] == '\t')) i++;
    for (j = i; j < n; j++)
        if (!(cyhttp_class[u[j]] & vclass)) return -1;
    e = n;
    while (e > i && (u[e - 1] == ' ' || u[e - 1] == '\t')) e--;
    *vs = i;
    *ve = e;
    return 0;
}

/* What is wrong with a request line (cyhttp_request_line), in the order of the checks. */
#define CYHTTP_RL_METHOD (-2)   /* the bytes before the first SP (or the line) are not a token */
#define CYHTTP_RL_LINE (-1)     /* no SP, or only one */
#define CYHTTP_RL_VERSION (-3)  /* the bytes after the last SP are not HTTP/1.0 or HTTP/1.1 */
#define CYHTTP_RL_TARGET (-4)   /* the target is empty or holds a byte outside 0x21-0x7E */

/* "method SP target SP HTTP/1.x" → 0 and the parts; else a CYHTTP_RL_* code.  The
 * target is what lies between the first and the last SP. */
static inline int cyhttp_request_line(const char *p, Py_ssize_t n, Py_ssize_t *method_len,
                                      Py_ssize_t *ts, Py_ssize_t *te, int *minor)
{
    const unsigned char *u = (const unsigned char *)p;
    const char *sp = (const char *)memchr(p, ' ', (size_t)n);
    Py_ssize_t i, s1 = sp != NULL ? sp - p : n, s2;
    if (s1 == 0) return CYHTTP_RL_METHOD;
    for (i = 0; i < s1; i++)
        if (!(cyhttp_class[u[i]] & CYHTTP_TCHAR)) return CYHTTP_RL_METHOD;
    if (sp == NULL) return CYHTTP_RL_LINE;
    s2 = n - 1;
    while (u[s2] != ' ') s2--;  /* stops at s1 at the latest */
    if (s2 == s1) return CYHTTP_RL_LINE;
    if (n - s2 != 9 || memcmp(p + s2 + 1, "HTTP/1.", 7) != 0 || (u[n - 1] != '0' && u[n - 1] != '1'))
        return CYHTTP_RL_VERSION;
    for (i = s1 + 1; i < s2; i++)
        if (!(cyhttp_class[u[i]] & CYHTTP_TARGET)) return CYHTTP_RL_TARGET;
    if (s2 == s1 + 1) return CYHTTP_RL_TARGET;
    *method_len = s1;
    *ts = s1 + 1;
    *te = s2;
    *minor = u[n - 1] - '0';
    return 0;
}

/* authority-form: (reg-name / "[" IP-literal "]") ":" 1-5 DIGIT (the bytes are visible ASCII). */
static inline int cyhttp__authority(const unsigned char *t, Py_ssize_t n)
{
    Py_ssize_t colon = n - 1, i;
    while (colon >= 0 && t[colon] >= '0' && t[colon] <= '9') colon--;
    if (colon < 1 || t[colon] != ':' || n - colon - 1 < 1 || n - colon - 1 > 5) return 0;
    if (t[0] == '[') {
        if (colon < 3 || t[colon - 1] != ']') return 0;
        for (i = 1; i < colon - 1; i++)
            if (!(cyhttp_class[t[i]] & CYHTTP_HOST) && t[i] != ':') return 0;
        return 1;
    }
    for (i = 0; i < colon; i++)
        if (!(cyhttp_class[t[i]] & CYHTTP_HOST)) return 0;
    return 1;
}

/* The target's form fits the method: CONNECT → authority-form; "*" → OPTIONS only;
 * else origin-form ("/...") or absolute-form (scheme "://" and a non-empty authority). */
static inline int cyhttp_target_form(const char *m, Py_ssize_t mlen, const char *tp, Py_ssize_t n)
{
    const unsigned char *t = (const unsigned char *)tp;
    Py_ssize_t i;
    if (mlen == 7 && memcmp(m, "CONNECT", 7) == 0) return cyhttp__authority(t, n);
    if (t[0] == '/') return 1;
    if (n == 1 && t[0] == '*') return mlen == 7 && memcmp(m, "OPTIONS", 7) == 0;
    if (!((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z')) return 0;
    for (i = 1; i < n && (cyhttp_class[t[i]] & CYHTTP_SCHEME); i++)
        ;
    return n - i >= 4 && t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/'
           && t[i + 3] != '/' && t[i + 3] != '?' && t[i + 3] != '#';
}

/* ASCII case-insensitive equality with a lower-case literal of letters, digits and '-'.
 * (c | 0x20) only merges a letter with its capital, and '-' with CR, which never
 * reaches here (names are tokens, values hold no CR). */
static inline int cyhttp_ieq(const char *p, Py_ssize_t n, const char *lit, Py_ssize_t m)
{
    Py_ssize_t i;
    if (n != m) return 0;
    for (i = 0; i < n; i++)
        if ((((const unsigned char *)p)[i] | 0x20) != (unsigned char)lit[i]) return 0;
    return 1;
}

/* The framing facts of one head, gathered while its fields go by (the pure twin reads
 * the same facts from the CIMultiDict afterwards: _http_head_py.make_head). */
typedef struct {
    int cl_count;            /* Content-Length fields */
    int cl_valid;            /* the first one is 1-18 digits */
    long long cl_value;
    int te_seen;             /* any Transfer-Encoding field */
    int te_chunked;          /* "chunked" elements over all of them */
    int te_last_chunked;     /* the last non-empty element is "chunked" */
    int conn_close, conn_keep_alive, conn_upgrade;  /* Connection elements seen */
    int upgrade;             /* -1: no Upgrade field; else the first one is non-empty */
    int encoding;            /* -1: no Content-Encoding; 0-3 gzip/deflate/br/zstd; 4 other */
    int host_count;          /* Host fields (a request needs exactly one in HTTP/1.1) */
    unsigned int singletons; /* bit i: CYHTTP_SINGLETONS[i] seen (a request may have one) */
    unsigned int singleton_dups;  /* bit i: ... seen more than once */
} cyhttp_framing;

/* Fields a request may carry once (RFC 9110 singletons, as aiohttp's server checks them;
   Content-Length and Host have their own checks).  The order is the pure twin's
   _SINGLETONS: the first repeated one in this order is the one named. */
#define CYHTTP_NSINGLETONS 8
static const char *const CYHTTP_SINGLETONS[CYHTTP_NSINGLETONS] = {
    "Content-Location", "Content-Range", "Content-Type", "ETag", "Max-Forwards", "Server",
    "Transfer-Encoding", "User-Agent",
};

static inline void cyhttp__singleton(cyhttp_framing *f, const char *name, Py_ssize_t nlen)
{
    int i = -1;
    switch (nlen) {
    case 16: if (cyhttp_ieq(name, 16, "content-location", 16)) i = 0; break;
    case 13: if (cyhttp_ieq(name, 13, "content-range", 13)) i = 1; break;
    case 12:
        if (cyhttp_ieq(name, 12, "content-type", 12)) i = 2;
        else if (cyhttp_ieq(name, 12, "max-forwards", 12)) i = 4;
        break;
    case 4: if (cyhttp_ieq(name, 4, "etag", 4)) i = 3; break;
    case 6: if (cyhttp_ieq(name, 6, "server", 6)) i = 5; break;
    case 17: if (cyhttp_ieq(name, 17, "transfer-encoding", 17)) i = 6; break;
    case 10: if (cyhttp_ieq(name, 10, "user-agent", 10)) i = 7; break;
    }
    if (i >= 0) {
        if (f->singletons & (1u << i)) f->singleton_dups |= 1u << i;
        f->singletons |= 1u << i;
    }
}

static inline void cyhttp_framing_reset(cyhttp_framing *f)
{
    memset(f, 0, sizeof(*f));
    f->upgrade = f->encoding = -1;
}

/* One comma list: what its elements (trimmed, empties dropped) say. */
static inline void cyhttp__elements(cyhttp_framing *f, const char *p, Py_ssize_t n, int te)
{
    Py_ssize_t i = 0, s, e;
    while (i <= n) {
        s = i;
        while (i < n && p[i] != ',') i++;
        e = i++;
        while (s < e && (p[s] == ' ' || p[s] == '\t')) s++;
        while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t')) e--;
        if (e == s) continue;
        if (te) {
            f->te_last_chunked = cyhttp_ieq(p + s, e - s, "chunked", 7);
            f->te_chunked += f->te_last_chunked;
        } else if (cyhttp_ieq(p + s, e - s, "close", 5)) {
            f->conn_close = 1;
        } else if (cyhttp_ieq(p + s, e - s, "keep-alive", 10)) {
            f->conn_keep_alive = 1;
        } else if (cyhttp_ieq(p + s, e - s, "upgrade", 7)) {
            f->conn_upgrade = 1;
        }
    }
}

/* One checked field: note what framing needs.  Names are told apart by length first. */
static inline void cyhttp_framing_field(cyhttp_framing *f, const char *name, Py_ssize_t nlen,
                                        const char *v, Py_ssize_t vlen)
{
    static const char *const encodings[4] = {"gzip", "deflate", "br", "zstd"};
    static const Py_ssize_t encoding_lens[4] = {4, 7, 2, 4};
    Py_ssize_t i;
    cyhttp__singleton(f, name, nlen);
    switch (nlen) {
    case 14:
        if (!cyhttp_ieq(name, 14, "content-length", 14) || ++f->cl_count > 1) return;
        f->cl_valid = vlen > 0 && vlen <= 18;
        for (i = 0; i < vlen && f->cl_valid; i++) {
            if (v[i] < '0' || v[i] > '9') f->cl_valid = 0;
            else f->cl_value = f->cl_value * 10 + (v[i] - '0');
        }
        return;
    case 17:
        if (cyhttp_ieq(name, 17, "transfer-encoding", 17)) {
            f->te_seen = 1;
            cyhttp__elements(f, v, vlen, 1);
        }
        return;
    case 10:
        if (cyhttp_ieq(name, 10, "connection", 10)) cyhttp__elements(f, v, vlen, 0);
        return;
    case 7:
        if (f->upgrade < 0 && cyhttp_ieq(name, 7, "upgrade", 7)) f->upgrade = vlen > 0;
        return;
    case 4:
        if (cyhttp_ieq(name, 4, "host", 4)) f->host_count++;
        return;
    case 16:
        if (f->encoding >= 0 || !cyhttp_ieq(name, 16, "content-encoding", 16)) return;
        f->encoding = 4;
        for (i = 0; i < 4; i++)
            if (cyhttp_ieq(v, vlen, encodings[i], encoding_lens[i])) f->encoding = (int)i;
        return;
    }
}

#endif /* CYHTTP_HTTP_SCAN_H */
