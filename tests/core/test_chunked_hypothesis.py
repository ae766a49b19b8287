"""Chunked decoder: differential property tests, pure twin against compiled twin.

Random chunked bodies (random chunk sizes, hex spellings, extensions, trailers, bytes after
the end) split at random points must decode to the original payload and trailers in both
twins; mutated bodies must give the same result or the same error type in both twins,
whatever the split (and the payload handed out before the error, returned or attached
to it as ``exc.events``, is the same too); only ParseError subclasses may escape.
Chunk boundaries (``chunk_ends()`` after each feed) are the ends of the chunks with
data, whatever the split, and the same in both twins.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cyhttp._core import _chunked_c, _chunked_py
from cyhttp._core.errors import ParseError
from cyhttp._core.events import EndOfMessage

TWINS = (_chunked_py, _chunked_c)
CHEAP = settings(max_examples=200, deadline=None)

TCHAR = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
tokens = st.binary(min_size=1, max_size=8).map(lambda b: bytes(TCHAR[x % len(TCHAR)] for x in b))
values = st.binary(max_size=12).map(
    lambda b: bytes(x if x >= 0x20 and x != 0x7F else 0x41 for x in b).strip(b" \t"))
# A quoted value escapes its quotes and backslashes as quoted-pairs: a backslash left
# alone could escape the closing quote, and an unclosed quote is refused.
quoted = values.map(lambda v: b'"' + re.sub(rb'(["\\])', rb"\\\1", v) + b'"')
extensions = st.lists(
    st.tuples(tokens, st.one_of(st.none(), tokens, quoted)),
    max_size=3,
).map(lambda exts: b"".join(b";" + n + (b"" if v is None else b"=" + v) for n, v in exts))


@st.composite
def chunked_bodies(draw: st.DrawFn) -> tuple[bytes, bytes, tuple[tuple[bytes, bytes], ...], bytes,
                                              tuple[int, ...]]:
    """(encoded, payload, trailers, bytes after the end, chunk end offsets)."""
    payload = draw(st.binary(max_size=600))
    cuts = sorted(draw(st.lists(st.integers(0, len(payload)), max_size=8)))
    pieces = [payload[a:b] for a, b in zip([0, *cuts], [*cuts, len(payload)]) if b > a]
    out = bytearray()
    for piece in [*pieces, b""]:
        digits = b"%x" % len(piece)
        if draw(st.booleans()):
            digits = digits.upper()
        digits = b"0" * draw(st.integers(0, 16 - len(digits))) + digits
        out += digits + draw(st.sampled_from([b"", b" ", b"\t "])) + draw(extensions) + b"\r\n"
        if piece:
            out += piece + b"\r\n"
    trailers = tuple(draw(st.lists(st.tuples(tokens, values), max_size=4)))
    for name, value in trailers:
        out += name + b":" + draw(st.sampled_from([b"", b" ", b"\t"])) + value + b"\r\n"
    out += b"\r\n"
    after = draw(st.binary(max_size=20))
    ends = tuple(b for a, b in zip([0, *cuts], [*cuts, len(payload)]) if b > a)
    return bytes(out + after), payload, trailers, after, ends


def split(data: bytes, points: list[int]) -> list[bytes]:
    cuts = sorted({p % (len(data) + 1) for p in points})
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)])]


def outcome(mod: Any, blocks: list[bytes], **limits: int) -> tuple:
    """('ok', payload, trailers | None, unused) or ('error', type, payload before the error:
    what earlier feeds returned plus the failing feed's ``exc.events``); only ParseError escapes."""
    dec = mod.ChunkedDecoder(**limits)
    payload = bytearray()
    trailers = None
    ends: list[int] = []
    try:
        for block in blocks:
            base = len(payload)
            events = dec.feed(block)
            chunk_ends = dec.chunk_ends()
            if chunk_ends is not None:
                assert chunk_ends.base == base and chunk_ends.offsets()
                ends.extend(chunk_ends.offsets())
            for event in events:
                if isinstance(event, EndOfMessage):
                    assert trailers is None
                    trailers = event.trailers
                else:
                    assert type(event) is bytes and event
                    payload += event
    except ParseError as exc:
        assert all(type(event) is bytes and event for event in exc.events)
        return ("error", type(exc), bytes(payload + b"".join(exc.events)))
    assert dec.done == (trailers is not None)
    assert ends == sorted(set(ends)) and (not ends or ends[-1] <= len(payload))
    return ("ok", bytes(payload), trailers, dec.unused(), tuple(ends))


@CHEAP
@given(chunked_bodies(), st.lists(st.integers(0, 10_000), max_size=12))
def test_random_bodies_decode_in_both_twins(body: tuple, points: list[int]) -> None:
    encoded, payload, trailers, after, ends = body
    expected = ("ok", payload, trailers, after, ends)
    blocks = split(encoded, points)
    for mod in TWINS:
        assert outcome(mod, [encoded]) == expected
        assert outcome(mod, blocks) == expected
    # Same split → the very same list of pieces from both twins.
    decoders = [mod.ChunkedDecoder() for mod in TWINS]
    for block in blocks:
        assert decoders[0].feed(block) == decoders[1].feed(block)
        assert decoders[0].chunk_ends() == decoders[1].chunk_ends()


mutations = st.lists(
    st.tuples(st.sampled_from(["set", "insert", "delete"]), st.integers(0, 10_000),
              st.sampled_from(b"\r\n\x00\t :;0aFgxX\x7f\xff-+")),
    min_size=1, max_size=4,
)


def mutate(data: bytes, muts: list[tuple[str, int, int]]) -> bytes:
    buf = bytearray(data)
    for kind, where, byte in muts:
        i = where % (len(buf) + 1)
        if kind == "insert":
            buf.insert(i, byte)
        elif i < len(buf):
            if kind == "set":
                buf[i] = byte
            else:
                del buf[i]
    return bytes(buf)


@CHEAP
@given(chunked_bodies(), mutations, st.lists(st.integers(0, 10_000), max_size=8),
       st.lists(st.integers(0, 10_000), max_size=8))
def test_mutated_bodies_same_result_or_error_type(body: tuple, muts: list, points_a: list[int],
                                                  points_b: list[int]) -> None:
    data = mutate(body[0], muts)
    limits = {"max_line_size": 40, "max_field_size": 30, "max_trailers": 3}
    results = {
        outcome(mod, blocks, **limits)
        for mod in TWINS
        for blocks in ([data], split(data, points_a), split(data, points_b))
    }
    assert len(results) == 1, results


@CHEAP
@given(st.binary(max_size=200), st.lists(st.integers(0, 10_000), max_size=8))
def test_random_bytes_same_result_or_error_type(data: bytes, points: list[int]) -> None:
    results = {
        outcome(mod, blocks, max_line_size=20, max_field_size=20, max_trailers=2)
        for mod in TWINS
        for blocks in ([data], split(data, points), [data[i:i + 1] for i in range(len(data))])
    }
    assert len(results) == 1, results
