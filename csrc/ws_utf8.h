/* Incremental UTF-8 validation for WebSocket text (RFC 3629 / RFC 6455 §8.1).
 *
 * How this works: the state is "how many continuation bytes are still due" plus the
 * range the next one must fall in (only the byte after E0, ED, F0 and F4 has a
 * narrower range: that is what excludes overlongs, surrogates and code points past
 * U+10FFFF).  The state lives in the caller's struct, so a code point may be split
 * across chunks and fragments, while a bad byte fails the moment it is seen.  Runs
 * of ASCII are skipped 8 bytes at a time.
 *
 * Public: cyhttp_utf8_reset(state), cyhttp_utf8_feed(state, data, len) -> 0 | -1,
 * cyhttp_utf8_complete(state) -> 1 when no code point is left open.
 */
#ifndef CYHTTP_WS_UTF8_H
#define CYHTTP_WS_UTF8_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    int need;            /* continuation bytes still due */
    unsigned char lo;    /* range of the next continuation byte */
    unsigned char hi;
} cyhttp_utf8_state;

static inline void
cyhttp_utf8_reset(cyhttp_utf8_state *st)
{
    st->need = 0;
    st->lo = 0x80;
    st->hi = 0xBF;
}

static inline int
cyhttp_utf8_complete(const cyhttp_utf8_state *st)
{
    return st->need == 0;
}

/* Validate data[0:len] as the next bytes of a text; -1 at the first invalid byte. */
static inline int
cyhttp_utf8_feed(cyhttp_utf8_state *st, const unsigned char *data, size_t len)
{
    size_t i = 0;
    int need = st->need;
    unsigned char lo = st->lo, hi = st->hi, c;
    uint64_t w;

    while (i < len) {
        if (need == 0) {
            while (i + 8 <= len) {
                memcpy(&w, data + i, 8);
                if (w & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
            if (i >= len)
                break;
            c = data[i++];
            if (c < 0x80)
                continue;
            if (c < 0xC2 || c > 0xF4)
                return -1;                  /* continuation, overlong lead, > U+10FFFF */
            lo = 0x80;
            hi = 0xBF;
            if (c < 0xE0) {
                need = 1;
            } else if (c < 0xF0) {
                need = 2;
                if (c == 0xE0)
                    lo = 0xA0;              /* no overlong 3-byte forms */
                else if (c == 0xED)
                    hi = 0x9F;              /* no surrogates */
            } else {
                need = 3;
                if (c == 0xF0)
                    lo = 0x90;              /* no overlong 4-byte forms */
                else if (c == 0xF4)
                    hi = 0x8F;              /* nothing past U+10FFFF */
            }
        } else {
            c = data[i++];
            if (c < lo || c > hi)
                return -1;
            need--;
            lo = 0x80;
            hi = 0xBF;
        }
    }
    st->need = need;
    st->lo = lo;
    st->hi = hi;
    return 0;
}

#endif /* CYHTTP_WS_UTF8_H */
