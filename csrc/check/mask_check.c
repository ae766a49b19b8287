/* Every masking path in ws_mask.h against a byte-by-byte reference, in place and copying.
 *
 * Built and run by tests/csrc/test_ws_mask_paths.py: natively (the public entry, the
 * 64-bit word path, SSE2 and, when the CPU has it, AVX2 called directly, so the paths
 * this machine's dispatch never picks still run) and, where a cross compiler and
 * qemu-user exist, for aarch64 (NEON).  Lengths 0..1100 at every start offset 0..31
 * with several keys; prints "ok <paths>" or the first mismatch, exit status 0/1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../ws_mask.h"

typedef void (*mask_fn)(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len);

static void public_in_place(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len)
{
    (void)src;  /* check() passes dst == src for in-place runs */
    cyhttp_ws_mask(key, dst, len);
}

static int check(const char *name, mask_fn fn, int in_place_only)
{
    static unsigned char buf[1200 + 64], src[1200 + 64], want[1200 + 64];
    static const unsigned char keys[][4] = {
        {0, 0, 0, 0}, {0xff, 0xff, 0xff, 0xff}, {0x12, 0x34, 0x56, 0x78}, {0x80, 0x01, 0xfe, 0x7f}};
    for (int copy = 0; copy <= !in_place_only; copy++) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            for (size_t off = 0; off < 32; off++) {
                /* copying: the source sits at another offset, so both alignments vary */
                size_t soff = copy ? (off * 7 + 3) % 32 : off;
                for (size_t len = 0; len <= 1100; len += (len < 300 ? 1 : 37)) {
                    for (size_t i = 0; i < sizeof buf; i++) {
                        buf[i] = want[i] = (unsigned char)(i * 131 + len + off);
                        src[i] = (unsigned char)(i * 29 + len);
                    }
                    const unsigned char *from = copy ? src + soff : buf + off;
                    for (size_t i = 0; i < len; i++)
                        want[off + i] = (unsigned char)(from[i] ^ keys[k][i & 3]);
                    fn(keys[k], buf + off, from, len);
                    if (memcmp(buf, want, sizeof buf) != 0) {
                        printf("mismatch: %s %s key=%zu offset=%zu length=%zu\n",
                               name, copy ? "copy" : "in place", k, off, len);
                        return 1;
                    }
                }
            }
        }
    }
    printf("%s ", name);
    return 0;
}

int main(void)
{
    int bad = check("public", public_in_place, 1);
    bad |= check("copy", cyhttp_ws_mask_copy, 0);
    bad |= check("words", cyhttp__ws_mask_words, 0);
#if defined(CYHTTP__MASK_SSE2)
    bad |= check("sse2", cyhttp__ws_mask_sse2, 0);
#endif
#if defined(CYHTTP__MASK_AVX2)
    if (__builtin_cpu_supports("avx2"))
        bad |= check("avx2", cyhttp__ws_mask_avx2, 0);
#endif
#if defined(CYHTTP__MASK_NEON)
    bad |= check("neon", cyhttp__ws_mask_neon, 0);
#endif
    printf(bad ? "\nFAILED\n" : "\nok\n");
    return bad;
}
