"""ws_mask: both twins against a trivial reference, alignment, errors, differential."""

from __future__ import annotations

import array
import os
import random
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyhttp._core import _ws_mask_c, _ws_mask_py
from tests.conftest import twin_fixture

twin = twin_fixture("ws_mask")


def reference(key: bytes, data: bytes) -> bytes:
    return bytes(b ^ key[i & 3] for i, b in enumerate(data))


KEY = b"\x37\xfa\x21\x3d"


@pytest.mark.parametrize("size", range(0, 301))
def test_lengths_0_to_300(twin: ModuleType, size: int) -> None:
    data = bytes(random.Random(size).getrandbits(8) for _ in range(size))
    buf = bytearray(data)
    twin.ws_mask(KEY, buf)
    assert bytes(buf) == reference(KEY, data)


@pytest.mark.parametrize("offset", range(0, 33))
@pytest.mark.parametrize("size", [0, 1, 3, 4, 7, 15, 16, 31, 63, 64, 65, 127, 200, 1000, 4099])
def test_unaligned_memoryview_slices(twin: ModuleType, offset: int, size: int) -> None:
    rng = random.Random(offset * 10007 + size)
    whole = bytes(rng.getrandbits(8) for _ in range(offset + size + 8))
    buf = bytearray(whole)
    twin.ws_mask(KEY, memoryview(buf)[offset : offset + size])
    # Bytes outside the slice are untouched; the slice starts with key phase 0.
    assert bytes(buf[:offset]) == whole[:offset]
    assert bytes(buf[offset + size :]) == whole[offset + size :]
    assert bytes(buf[offset : offset + size]) == reference(KEY, whole[offset : offset + size])


def test_one_mib_random(twin: ModuleType) -> None:
    data = os.urandom(1 << 20)
    key = os.urandom(4)
    buf = bytearray(data)
    twin.ws_mask(key, buf)
    # Reference on a big-integer basis (a per-byte loop over 1 MiB is too slow for CI).
    expected = (int.from_bytes(data, "little") ^ int.from_bytes(key * (1 << 18), "little")).to_bytes(
        1 << 20, "little"
    )
    assert bytes(buf) == expected
    twin.ws_mask(key, buf)  # masking twice restores the data
    assert bytes(buf) == data


def test_other_writable_buffers(twin: ModuleType) -> None:
    # An array of ints is masked byte-wise over its raw bytes, not item-wise.
    arr = array.array("i", range(50))
    raw = arr.tobytes()
    twin.ws_mask(KEY, arr)
    assert arr.tobytes() == reference(KEY, raw)
    mv = memoryview(bytearray(raw)).cast("I")
    twin.ws_mask(KEY, mv)
    assert mv.tobytes() == reference(KEY, raw)


@pytest.mark.parametrize("key", [bytearray(KEY), memoryview(KEY), array.array("B", KEY)])
def test_key_any_bytes_like(twin: ModuleType, key: object) -> None:
    buf = bytearray(b"hello world, this is masked" * 10)
    twin.ws_mask(key, buf)
    assert bytes(buf) == reference(KEY, b"hello world, this is masked" * 10)


@pytest.mark.parametrize("key", [b"", b"abc", b"abcde", bytearray(8), memoryview(b"12345")])
@pytest.mark.parametrize("size", [0, 16, 500])
def test_bad_key_length(twin: ModuleType, key: object, size: int) -> None:
    buf = bytearray(size)
    with pytest.raises(ValueError):
        twin.ws_mask(key, buf)
    assert buf == bytearray(size)


@pytest.mark.parametrize("key", ["abcd", 1234, None, memoryview(b"abcdefgh")[::2]])
def test_bad_key_type(twin: ModuleType, key: object) -> None:
    with pytest.raises(TypeError):
        twin.ws_mask(key, bytearray(16))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"0123456789abcdef",
        bytes(1000),
        memoryview(b"read-only view"),
        memoryview(bytearray(b"0123456789abcdef")).toreadonly(),
        memoryview(bytearray(64))[::2],  # writable but not contiguous
        "text",
        [1, 2, 3],
        None,
    ],
    ids=lambda d: type(d).__name__ + str(len(d) if hasattr(d, "__len__") else ""),
)
def test_unwritable_data_is_type_error(twin: ModuleType, data: object) -> None:
    with pytest.raises(TypeError):
        twin.ws_mask(KEY, data)


def test_twins_are_distinct_and_chooser_exports() -> None:
    from cyhttp._core import ws_mask

    assert ws_mask.ws_maskPy is _ws_mask_py.ws_mask
    assert ws_mask.ws_maskC is _ws_mask_c.ws_mask
    assert ws_mask.ws_mask in (_ws_mask_py.ws_mask, _ws_mask_c.ws_mask)


@settings(max_examples=200, deadline=None)
@given(
    key=st.binary(min_size=4, max_size=4),
    data=st.binary(max_size=2000),
    start=st.integers(0, 40),
    stop_cut=st.integers(0, 40),
)
def test_differential_py_vs_c(key: bytes, data: bytes, start: int, stop_cut: int) -> None:
    stop = max(start, len(data) - stop_cut)
    a, b = bytearray(data), bytearray(data)
    _ws_mask_py.ws_mask(key, memoryview(a)[start:stop])
    _ws_mask_c.ws_mask(key, memoryview(b)[start:stop])
    assert a == b
    assert bytes(a[start:stop]) == reference(key, data[start:stop])
    _ws_mask_py.ws_mask(key, a)
    _ws_mask_c.ws_mask(key, b)
    assert a == b


def test_compiled_baseline_simd_path() -> None:
    """The SSE2 body (what CPUs without AVX2 run) is correct too; AVX2 is restored after."""
    # Where the build has no run-time choice this simply checks the one compiled body again.
    _ws_mask_c._force_baseline_simd(True)
    try:
        rng = random.Random(5)
        for size in [64, 65, 100, 127, 128, 129, 200, 1000, 4096 + 37, 1 << 16]:
            for offset in (0, 1, 5, 31):
                whole = bytes(rng.getrandbits(8) for _ in range(size + offset))
                buf = bytearray(whole)
                _ws_mask_c.ws_mask(KEY, memoryview(buf)[offset:])
                assert bytes(buf[:offset]) == whole[:offset]
                expected = bytearray(whole[offset:])
                _ws_mask_py.ws_mask(KEY, expected)
                assert buf[offset:] == expected
    finally:
        _ws_mask_c._force_baseline_simd(False)


@pytest.mark.parametrize("no_ext", ["", "1"])
def test_chooser_picks_the_decided_twin(no_ext: str) -> None:
    import subprocess
    import sys

    env = dict(os.environ, CYHTTP_NO_EXTENSIONS=no_ext)
    code = "from cyhttp._core import ws_mask; print(ws_mask.ws_mask.__module__)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("cyhttp._core._ws_mask_py" if no_ext else "cyhttp._core._ws_mask_c")
