/* WebSocket masking (RFC 6455 §5.3): XOR data with a 4-byte key repeated, in place or copying.
 *
 * How this works: the key pattern repeats every 4 bytes, so any block whose length is a
 * multiple of 4 can be XORed with the key broadcast into a wide register.  Small inputs
 * (the common 16-byte frame) use two 64-bit words and a byte tail; large ones first
 * step to a 32-byte aligned address (rotating the key by the bytes consumed) and then
 * run the widest vector unit we have:
 *   x86-64: AVX2 chosen at run time (__builtin_cpu_supports + target attribute, so a
 *           baseline x86-64 wheel still uses it), SSE2 otherwise (always present);
 *   aarch64: NEON (always present);
 *   anything else: 64-bit words.
 * Every load/store goes through memcpy or unaligned intrinsics, so any alignment and
 * length (including 0) is correct; the byte order does not matter for XOR.
 *
 * Public: cyhttp_ws_mask(key, data, len) in place, and cyhttp_ws_mask_copy(key, dst, src,
 * len), the masked copy in one pass (the frame writer's).  Everything else is private.
 */
#ifndef CYHTTP_WS_MASK_H
#define CYHTTP_WS_MASK_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) && defined(__SSE2__)
#  include <emmintrin.h>
#  define CYHTTP__MASK_SSE2 1
#  if defined(__AVX2__)
#    include <immintrin.h>
#    define CYHTTP__MASK_AVX2 1          /* compiled for AVX2: no dispatch needed */
#  elif (defined(__GNUC__) || defined(__clang__)) && !defined(__INTEL_COMPILER)
#    include <immintrin.h>
#    define CYHTTP__MASK_AVX2 1
#    define CYHTTP__MASK_AVX2_DISPATCH 1 /* compile an AVX2 body, pick it at run time */
#  endif
#elif defined(__aarch64__) || defined(_M_ARM64)
#  include <arm_neon.h>
#  define CYHTTP__MASK_NEON 1
#endif

/* Below this size the vector set-up is not worth it: words and bytes only. */
#define CYHTTP__MASK_SMALL 64

static inline void
cyhttp__ws_mask_words(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len)
{
    uint32_t k32;
    uint64_t k64, w;
    size_t i = 0;

    memcpy(&k32, key, 4);
    k64 = ((uint64_t)k32 << 32) | k32;
    for (; i + 8 <= len; i += 8) {
        memcpy(&w, src + i, 8);
        w ^= k64;
        memcpy(dst + i, &w, 8);
    }
    /* i is a multiple of 8 here, so the key phase is still 0 for the tail. */
    for (; i < len; i++)
        dst[i] = src[i] ^ key[i & 3];
}

#if defined(CYHTTP__MASK_AVX2)
#  if defined(CYHTTP__MASK_AVX2_DISPATCH)
__attribute__((target("avx2")))
#  endif
static void
cyhttp__ws_mask_avx2(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len)
{
    int32_t k32;
    __m256i k;
    size_t i = 0;

    memcpy(&k32, key, 4);
    k = _mm256_set1_epi32(k32);
    for (; i + 128 <= len; i += 128) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(src + i + 32));
        __m256i c = _mm256_loadu_si256((const __m256i *)(src + i + 64));
        __m256i d = _mm256_loadu_si256((const __m256i *)(src + i + 96));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_xor_si256(a, k));
        _mm256_storeu_si256((__m256i *)(dst + i + 32), _mm256_xor_si256(b, k));
        _mm256_storeu_si256((__m256i *)(dst + i + 64), _mm256_xor_si256(c, k));
        _mm256_storeu_si256((__m256i *)(dst + i + 96), _mm256_xor_si256(d, k));
    }
    for (; i + 32 <= len; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(src + i));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_xor_si256(a, k));
    }
    /* i is a multiple of 32: key phase 0 for the rest. */
    cyhttp__ws_mask_words(key, dst + i, src + i, len - i);
}
#endif

#if defined(CYHTTP__MASK_SSE2)
static inline void
cyhttp__ws_mask_sse2(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len)
{
    int32_t k32;
    __m128i k;
    size_t i = 0;

    memcpy(&k32, key, 4);
    k = _mm_set1_epi32(k32);
    for (; i + 64 <= len; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(src + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(src + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(src + i + 48));
        _mm_storeu_si128((__m128i *)(dst + i), _mm_xor_si128(a, k));
        _mm_storeu_si128((__m128i *)(dst + i + 16), _mm_xor_si128(b, k));
        _mm_storeu_si128((__m128i *)(dst + i + 32), _mm_xor_si128(c, k));
        _mm_storeu_si128((__m128i *)(dst + i + 48), _mm_xor_si128(d, k));
    }
    for (; i + 16 <= len; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(src + i));
        _mm_storeu_si128((__m128i *)(dst + i), _mm_xor_si128(a, k));
    }
    cyhttp__ws_mask_words(key, dst + i, src + i, len - i);
}
#endif

#if defined(CYHTTP__MASK_NEON)
static inline void
cyhttp__ws_mask_neon(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len)
{
    uint32_t k32;
    uint8x16_t k;
    size_t i = 0;

    memcpy(&k32, key, 4);
    k = vreinterpretq_u8_u32(vdupq_n_u32(k32));
    for (; i + 64 <= len; i += 64) {
        uint8x16_t a = vld1q_u8(src + i);
        uint8x16_t b = vld1q_u8(src + i + 16);
        uint8x16_t c = vld1q_u8(src + i + 32);
        uint8x16_t d = vld1q_u8(src + i + 48);
        vst1q_u8(dst + i, veorq_u8(a, k));
        vst1q_u8(dst + i + 16, veorq_u8(b, k));
        vst1q_u8(dst + i + 32, veorq_u8(c, k));
        vst1q_u8(dst + i + 48, veorq_u8(d, k));
    }
    for (; i + 16 <= len; i += 16)
        vst1q_u8(dst + i, veorq_u8(vld1q_u8(src + i), k));
    cyhttp__ws_mask_words(key, dst + i, src + i, len - i);
}
#endif

#if defined(CYHTTP__MASK_AVX2_DISPATCH)
/* -1 unknown, 0 no, 1 yes.  A benign race: every thread computes the same answer. */
static int cyhttp__ws_mask_has_avx2 = -1;

static inline int
cyhttp__ws_mask_avx2_ok(void)
{
    if (cyhttp__ws_mask_has_avx2 < 0) {
        __builtin_cpu_init();
        cyhttp__ws_mask_has_avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return cyhttp__ws_mask_has_avx2;
}
#endif

/* Tests only: force the run-time choice (0 = SSE2, -1 = detect again).  Returns 1 when
 * there is a run-time choice to force, 0 when the build fixed it at compile time. */
static inline int
cyhttp__ws_mask_force_dispatch(int has_avx2)
{
#if defined(CYHTTP__MASK_AVX2_DISPATCH)
    cyhttp__ws_mask_has_avx2 = has_avx2;
    return 1;
#else
    (void)has_avx2;
    return 0;
#endif
}

/* The wide-vector body for a large input whose key phase is 0 at src[0]. */
static inline void
cyhttp__ws_mask_wide(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len)
{
#if defined(CYHTTP__MASK_AVX2_DISPATCH)
    if (cyhttp__ws_mask_avx2_ok()) {
        cyhttp__ws_mask_avx2(key, dst, src, len);
        return;
    }
    cyhttp__ws_mask_sse2(key, dst, src, len);
#elif defined(CYHTTP__MASK_AVX2)
    cyhttp__ws_mask_avx2(key, dst, src, len);
#elif defined(CYHTTP__MASK_SSE2)
    cyhttp__ws_mask_sse2(key, dst, src, len);
#elif defined(CYHTTP__MASK_NEON)
    cyhttp__ws_mask_neon(key, dst, src, len);
#else
    cyhttp__ws_mask_words(key, dst, src, len);
#endif
}

/* dst[i] = src[i] ^ key[i % 4] for i in [0, len): a masked copy in one pass.  dst and src
 * are either the same buffer (masking in place) or do not overlap at all. */
static inline void
cyhttp_ws_mask_copy(const unsigned char key[4], unsigned char *dst, const unsigned char *src, size_t len)
{
    size_t head;
    unsigned char rotated[4];

    if (len < CYHTTP__MASK_SMALL) {
        cyhttp__ws_mask_words(key, dst, src, len);
        return;
    }
    /* Step bytewise until dst is on a 32-byte boundary so the vector stores never split a
     * cache line, then continue with the key rotated by the bytes already done. */
    head = (size_t)((32u - ((uintptr_t)dst & 31u)) & 31u);
    for (size_t i = 0; i < head; i++)
        dst[i] = src[i] ^ key[i & 3];
    rotated[0] = key[head & 3];
    rotated[1] = key[(head + 1) & 3];
    rotated[2] = key[(head + 2) & 3];
    rotated[3] = key[(head + 3) & 3];
    cyhttp__ws_mask_wide(rotated, dst + head, src + head, len - head);
}

/* XOR data[0..len) in place with key[0..3] repeated (key[i % 4] on data[i]). */
static inline void
cyhttp_ws_mask(const unsigned char key[4], unsigned char *data, size_t len)
{
    cyhttp_ws_mask_copy(key, data, data, len);
}

#endif /* CYHTTP_WS_MASK_H */
