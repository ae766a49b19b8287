"""compression.py: bounded incremental decoders and request encoders."""

from __future__ import annotations

import gzip
import os
import zlib

import brotli
import pytest
from backports import zstd
from hypothesis import given, settings
from hypothesis import strategies as st

from cyhttp._http import compression as C

RAW = os.urandom(3000) + b"The quick brown fox. " * 40000  # ~840 KB, > 3 steps

COMPRESSORS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstd.compress,
}
ENCODINGS = sorted(COMPRESSORS)


def _raw_deflate(data: bytes) -> bytes:
    obj = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


def drain(dec: C.Decoder, chunks, limit: int | None = None) -> bytes:
    """Feed chunks, draining after each; assert every piece respects the bound."""
    step = limit or dec.max_step
    out = []
    for chunk in chunks:
        piece = dec.decompress(chunk)
        assert len(piece) <= step
        out.append(piece)
        for _ in range(100_000):
            if dec.needs_input:
                break
            piece = dec.decompress(b"")
            assert len(piece) <= step
            out.append(piece)
        else:  # pragma: no cover
            pytest.fail("decoder never asked for input")
    assert dec.flush() == b""
    return b"".join(out)


def test_accept_encoding_matches_installed() -> None:
    assert C.ACCEPT_ENCODING == "gzip, deflate, br, zstd"
    assert C.HAS_BROTLI and C.HAS_ZSTD


def test_accept_encoding_same_as_aiohttp() -> None:
    from aiohttp.client_reqrep import _gen_default_accept_encoding

    assert C.ACCEPT_ENCODING == _gen_default_accept_encoding()


@pytest.mark.parametrize("enc", ENCODINGS)
def test_round_trip_whole(enc: str) -> None:
    dec = C.decoder_for(enc)
    assert dec is not None and dec.encoding == enc
    assert drain(dec, [COMPRESSORS[enc](RAW)]) == RAW
    assert dec.eof


@pytest.mark.parametrize("enc", ENCODINGS)
def test_round_trip_byte_by_byte(enc: str) -> None:
    data = RAW[:20000]
    comp = COMPRESSORS[enc](data)
    dec = C.decoder_for(enc, max_step=4096)
    assert dec is not None
    assert drain(dec, [comp[i : i + 1] for i in range(len(comp))]) == data
    assert dec.eof


@pytest.mark.parametrize("enc", ENCODINGS)
def test_input_while_output_pending_is_queued(enc: str) -> None:
    # The caller ignores needs_input and keeps feeding: nothing may be lost.
    comp = COMPRESSORS[enc](RAW)
    dec2 = C.decoder_for(enc, max_step=1000)
    assert dec2 is not None
    got = []
    for i in range(0, len(comp), 5000):
        got.append(dec2.decompress(comp[i : i + 5000]))
    got.append(drain(dec2, [b""], 1000))
    assert b"".join(got) == RAW


@pytest.mark.parametrize("enc", ENCODINGS)
@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=3000), cuts=st.lists(st.integers(0, 4000), max_size=8))
def test_random_splits(enc: str, data: bytes, cuts: list[int]) -> None:
    comp = COMPRESSORS[enc](data)
    points = sorted({c % (len(comp) + 1) for c in cuts} | {0, len(comp)})
    chunks = [comp[a:b] for a, b in zip(points, points[1:])]
    dec = C.decoder_for(enc, max_step=97)
    assert dec is not None
    assert drain(dec, chunks, 97) == data


def test_deflate_raw_fallback() -> None:
    dec = C.decoder_for("deflate")
    assert dec is not None
    assert drain(dec, [_raw_deflate(RAW)]) == RAW


def test_deflate_raw_fallback_byte_by_byte() -> None:
    comp = _raw_deflate(RAW[:5000])
    dec = C.decoder_for("deflate")
    assert dec is not None
    assert drain(dec, [comp[i : i + 1] for i in range(len(comp))]) == RAW[:5000]


@pytest.mark.parametrize("enc", ["gzip", "zstd"])
def test_concatenated_members(enc: str) -> None:
    comp = COMPRESSORS[enc](b"one ") + COMPRESSORS[enc](b"two ") + COMPRESSORS[enc](b"3")
    for chunks in ([comp], [comp[i : i + 1] for i in range(len(comp))]):
        dec = C.decoder_for(enc)
        assert dec is not None
        assert drain(dec, chunks) == b"one two 3"


@pytest.mark.parametrize("enc", ["gzip", "zstd"])
def test_too_many_members(enc: str) -> None:
    member = COMPRESSORS[enc](b"x")
    dec = C.decoder_for(enc)
    assert dec is not None
    # Just at the limit is fine ...
    assert drain(dec, [member * C.MAX_MEMBERS]) == b"x" * C.MAX_MEMBERS
    # ... one more is refused.
    dec = C.decoder_for(enc)
    assert dec is not None
    with pytest.raises(C.DecompressionError):
        drain(dec, [member * (C.MAX_MEMBERS + 1)])


def test_deflate_trailing_bytes_ignored() -> None:
    for chunks in ([zlib.compress(b"abc") + b"junk"], [zlib.compress(b"abc"), b"junk"]):
        dec = C.decoder_for("deflate")
        assert dec is not None
        assert drain(dec, chunks) == b"abc"


@pytest.mark.parametrize("enc", ENCODINGS)
def test_truncated_raises_on_flush(enc: str) -> None:
    comp = COMPRESSORS[enc](RAW[:50000])
    dec = C.decoder_for(enc)
    assert dec is not None
    with pytest.raises(C.DecompressionError):
        drain(dec, [comp[: len(comp) // 2]])


@pytest.mark.parametrize("enc", ENCODINGS)
def test_truncated_by_one_byte(enc: str) -> None:
    comp = COMPRESSORS[enc](b"hello world" * 10)
    dec = C.decoder_for(enc)
    assert dec is not None
    with pytest.raises(C.DecompressionError):
        drain(dec, [comp[:-1]])


@pytest.mark.parametrize("enc", ENCODINGS)
def test_corrupt_raises(enc: str) -> None:
    if enc == "zstd":  # without its (optional) checksum, zstd can't see a flipped literal
        opts = {zstd.CompressionParameter.checksum_flag: 1}
        comp = bytearray(zstd.compress(RAW[:50000], options=opts))
    else:
        comp = bytearray(COMPRESSORS[enc](RAW[:50000]))
    comp[len(comp) // 2 : len(comp) // 2 + 16] = b"\xff" * 16
    for garbage in (b"\xff\xfe garbage that is not compressed" * 3, bytes(comp)):
        dec = C.decoder_for(enc)
        assert dec is not None
        with pytest.raises(C.DecompressionError):
            drain(dec, [garbage])


@pytest.mark.parametrize("enc", ENCODINGS)
def test_empty_body_is_fine(enc: str) -> None:
    dec = C.decoder_for(enc)
    assert dec is not None
    assert dec.needs_input
    assert dec.decompress(b"") == b""
    assert dec.flush() == b""


def test_flush_before_drain_is_a_usage_error() -> None:
    dec = C.decoder_for("gzip", max_step=10)
    assert dec is not None
    dec.decompress(gzip.compress(b"a" * 100))
    assert not dec.needs_input
    with pytest.raises(RuntimeError):
        dec.flush()


def _bomb(enc: str) -> bytes:
    """1 GiB of zeros, compressed by streaming (never built in memory)."""
    block = bytes(16 << 20)
    if enc == "br":
        comp = brotli.Compressor(quality=1, lgwin=24)
        return b"".join(comp.process(block) for _ in range(64)) + comp.finish()
    if enc == "zstd":
        zc = zstd.ZstdCompressor()
        return b"".join(zc.compress(block) for _ in range(64)) + zc.flush()
    # zlib is slow on 1 GiB; after a full flush the compressor forgets its
    # history, so each further 16 MiB block compresses to the same bytes. The
    # trailer is left off: the test stops long before reaching it.
    wbits = 16 + zlib.MAX_WBITS if enc == "gzip" else zlib.MAX_WBITS
    zo = zlib.compressobj(9, zlib.DEFLATED, wbits)
    first = zo.compress(block) + zo.flush(zlib.Z_FULL_FLUSH)
    again = zo.compress(block) + zo.flush(zlib.Z_FULL_FLUSH)
    return first + again * 63


@pytest.fixture(scope="module")
def bombs() -> dict[str, bytes]:
    return {enc: _bomb(enc) for enc in ENCODINGS}


@pytest.mark.parametrize("enc", ENCODINGS)
def test_bomb_decodes_in_bounded_steps(enc: str, bombs: dict[str, bytes]) -> None:
    comp = bombs[enc]
    assert len(comp) < 2 << 20  # the whole bomb is small ...
    dec = C.decoder_for(enc)
    assert dec is not None
    total = 0
    piece = dec.decompress(comp)  # ... handed over in one go
    steps = 1
    while steps < 40:  # ~10 MiB decoded, then stop: the caller would abort here
        assert len(piece) <= C.MAX_STEP
        assert len(dec._rest) <= C.MAX_STEP  # never holds more than one step
        total += len(piece)
        assert not dec.needs_input and not dec.eof
        piece = dec.decompress(b"")
        steps += 1
    assert total > 5 * C.MAX_STEP


@pytest.mark.parametrize("enc", ["identity", "", None, "compress", "x-gzip"])
def test_unknown_codings_pass_through(enc: str | None) -> None:
    assert C.decoder_for(enc) is None


@pytest.mark.parametrize("enc", ["GZIP", " gzip ", "Br", "ZSTD", "Deflate"])
def test_coding_names_are_case_insensitive(enc: str) -> None:
    assert C.decoder_for(enc) is not None


def test_max_step_validated() -> None:
    with pytest.raises(ValueError):
        C.decoder_for("gzip", max_step=0)


@pytest.mark.parametrize(
    ("compress", "decode"),
    [
        (True, zlib.decompress),
        ("deflate", zlib.decompress),
        ("gzip", gzip.decompress),
    ],
)
def test_encoders_round_trip(compress: str | bool, decode) -> None:
    enc = C.encoder_for(compress)
    body = b"".join(enc.compress(RAW[i : i + 65536]) for i in range(0, len(RAW), 65536))
    body += enc.flush()
    assert decode(body) == RAW
    # And our own decoder reads what our encoder writes.
    dec = C.decoder_for(enc.encoding)
    assert dec is not None
    assert drain(dec, [body]) == RAW


def test_encoder_rejects_unknown() -> None:
    with pytest.raises(ValueError):
        C.Encoder("br")
