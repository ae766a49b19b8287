# cython: language_level=3
"""WebSocket masking (RFC 6455 §5.3), compiled twin.

How this works: a thin wrapper over ``cyhttp_ws_mask`` in ``csrc/ws_mask.h`` (64-bit
words, SSE2/AVX2/NEON).  An exact bytearray takes a fast path straight to its storage;
anything else goes through the buffer protocol and must be writable and C-contiguous.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytearray cimport PyByteArray_AS_STRING, PyByteArray_CheckExact, PyByteArray_GET_SIZE
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_CheckExact, PyBytes_GET_SIZE
from libc.string cimport memcpy

cdef extern from "ws_mask.h":
    void cyhttp_ws_mask(const unsigned char *key, unsigned char *data, size_t length) nogil
    int cyhttp__ws_mask_force_dispatch(int has_avx2)


cdef inline void _key_from(object mask, unsigned char key[4]) except *:
    cdef Py_buffer view
    if PyBytes_CheckExact(mask):
        if PyBytes_GET_SIZE(mask) != 4:
            raise ValueError("mask must be 4 bytes")
        memcpy(key, PyBytes_AS_STRING(mask), 4)
        return
    try:
        PyObject_GetBuffer(mask, &view, PyBUF_SIMPLE)
    except BufferError as exc:
        raise TypeError(f"mask must be a contiguous bytes-like object: {exc}") from None
    try:
        if view.len != 4:
            raise ValueError("mask must be 4 bytes")
        memcpy(key, view.buf, 4)
    finally:
        PyBuffer_Release(&view)


def ws_mask(mask, data) -> None:
    """XOR ``data`` in place with the 4-byte ``mask`` key repeated."""
    cdef unsigned char key[4]
    cdef Py_buffer view
    _key_from(mask, key)
    if PyByteArray_CheckExact(data):
        cyhttp_ws_mask(key, <unsigned char *>PyByteArray_AS_STRING(data),
                       <size_t>PyByteArray_GET_SIZE(data))
        return
    try:
        PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
    except BufferError as exc:
        raise TypeError(f"data must be a contiguous writable buffer: {exc}") from None
    try:
        if view.readonly:
            raise TypeError("data must be a writable buffer, not read-only")
        if view.len > 4096:
            with nogil:
                cyhttp_ws_mask(key, <unsigned char *>view.buf, <size_t>view.len)
        else:
            cyhttp_ws_mask(key, <unsigned char *>view.buf, <size_t>view.len)
    finally:
        PyBuffer_Release(&view)


def _force_baseline_simd(bint baseline) -> bool:
    """Tests only: use the SSE2 body even on an AVX2 CPU (``False`` detects again).

    Returns False when this build has no run-time choice (AVX2 fixed at compile time,
    or not x86-64).
    """
    return bool(cyhttp__ws_mask_force_dispatch(0 if baseline else -1))
