"""Chunked decoder: valid and bad tables (whole, byte by byte, every split), limits, reuse."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from cyhttp._core import _accel, chunked
from cyhttp._core.errors import (
    InvalidHeader,
    LineTooLong,
    ParseError,
    TooManyHeaders,
    TransferEncodingError,
)
from cyhttp._core.events import MESSAGE_END, EndOfMessage
from tests.conftest import twin_fixture

twin = twin_fixture("chunked")

Result = tuple[bytes, Any, bytes]  # payload, EndOfMessage (or None), unused


def run(mod: ModuleType, blocks: list[bytes], **limits: int) -> Result:
    """Feed ``blocks``; check the event invariants; return payload, end event, unused."""
    dec = mod.ChunkedDecoder(**limits)
    payload = bytearray()
    end = None
    for block in blocks:
        for event in dec.feed(block):
            assert end is None, "nothing may follow EndOfMessage"
            if isinstance(event, EndOfMessage):
                end = event
                assert dec.done
            else:
                assert type(event) is bytes and event, "payload pieces are non-empty bytes"
                payload += event
        assert dec.done == (end is not None)
    return bytes(payload), end, dec.unused()


def splits(data: bytes) -> list[list[bytes]]:
    """Whole, byte by byte, and every split into two (data is short)."""
    out = [[data], [data[i:i + 1] for i in range(len(data))]]
    out += [[data[:i], data[i:]] for i in range(1, len(data))]
    return out


def T(*fields: tuple[bytes, bytes]) -> EndOfMessage:
    return EndOfMessage(tuple(fields))


VALID: list[tuple[str, bytes, bytes, EndOfMessage, bytes]] = [
    # id, encoded, payload, end event, unused
    ("one-chunk", b"5\r\nhello\r\n0\r\n\r\n", b"hello", MESSAGE_END, b""),
    ("many", b"1\r\na\r\n2\r\nbc\r\n3\r\ndef\r\n0\r\n\r\n", b"abcdef", MESSAGE_END, b""),
    ("empty-body", b"0\r\n\r\n", b"", MESSAGE_END, b""),
    ("crlf-in-data", b"7\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n", b"\r\n0\r\n\r\n", MESSAGE_END, b""),
    ("ext", b"5;name=value\r\nhello\r\n0;last\r\n\r\n", b"hello", MESSAGE_END, b""),
    ("ext-quoted", b'5;a="b;c \\" d";e\r\nhello\r\n0\r\n\r\n', b"hello", MESSAGE_END, b""),
    # SP/HTAB may follow the size (not strict: llhttp's lenient mode, aiohttp's client)
    ("ext-ws-after-size", b"5 ;a=b;c\r\nhello\r\n0\t\r\n\r\n", b"hello", MESSAGE_END, b""),
    ("ext-obs-text-quoted", b'5;a="\xff\x80"\r\nhello\r\n0\r\n\r\n', b"hello", MESSAGE_END, b""),
    ("ext-empty-quoted", b'5;a=""\r\nhello\r\n0\r\n\r\n', b"hello", MESSAGE_END, b""),
    ("ext-ws-in-quoted", b'5;a=" \t "\r\nhello\r\n0 ;x="y"\r\n\r\n', b"hello", MESSAGE_END, b""),
    ("ext-quoted-pairs", b'5;a="\\\\\\"\\a\xff"\r\nhello\r\n0\r\n\r\n', b"hello", MESSAGE_END, b""),
    ("trailing-ws", b"5 \t \r\nhello\r\n0\r\n\r\n", b"hello", MESSAGE_END, b""),
    ("upper-hex", b"A\r\n0123456789\r\n0\r\n\r\n", b"0123456789", MESSAGE_END, b""),
    ("mixed-hex", b"1b\r\n" + b"x" * 27 + b"\r\n0\r\n\r\n", b"x" * 27, MESSAGE_END, b""),
    ("leading-zeros", b"0005\r\nhello\r\n0000\r\n\r\n", b"hello", MESSAGE_END, b""),
    ("16-digits", b"0000000000000003\r\nabc\r\n0000000000000000\r\n\r\n", b"abc", MESSAGE_END, b""),
    ("trailer", b"3\r\nabc\r\n0\r\nExpires: never\r\n\r\n", b"abc", T((b"Expires", b"never")), b""),
    ("trailers", b"0\r\nA: 1\r\nb-C:2 \r\nX-Y:\t a b \t\r\n\r\n", b"",
     T((b"A", b"1"), (b"b-C", b"2"), (b"X-Y", b"a b")), b""),
    ("trailer-empty-value", b"0\r\nX:\r\nY:  \r\n\r\n", b"", T((b"X", b""), (b"Y", b"")), b""),
    ("trailer-obs-text", b"0\r\nX: caf\xc3\xa9\r\n\r\n", b"", T((b"X", b"caf\xc3\xa9")), b""),
    ("trailer-token-chars", b"0\r\n!#$%&'*+-.^_`|~09az:v\r\n\r\n", b"",
     T((b"!#$%&'*+-.^_`|~09az", b"v")), b""),
    ("after-end", b"2\r\nhi\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n", b"hi", MESSAGE_END,
     b"HTTP/1.1 200 OK\r\n"),
    ("after-trailers", b"0\r\nA: b\r\n\r\nxyz", b"", T((b"A", b"b")), b"xyz"),
]


@pytest.mark.parametrize("encoded,payload,end,unused", [c[1:] for c in VALID],
                         ids=[c[0] for c in VALID])
def test_valid(twin: ModuleType, encoded: bytes, payload: bytes, end: EndOfMessage,
               unused: bytes) -> None:
    for blocks in splits(encoded):
        assert run(twin, blocks) == (payload, end, unused), blocks
        if end is MESSAGE_END:
            assert run(twin, blocks)[1] is MESSAGE_END


LAX_ONLY = {"ext-ws-after-size", "ext-ws-in-quoted", "trailing-ws"}  # SP/HTAB after a size
STRICT_VALID = [c for c in VALID if c[0] not in LAX_ONLY]


@pytest.mark.parametrize("encoded,payload,end,unused", [c[1:] for c in STRICT_VALID],
                         ids=[c[0] for c in STRICT_VALID])
def test_valid_strict(twin: ModuleType, encoded: bytes, payload: bytes, end: EndOfMessage,
                      unused: bytes) -> None:
    for blocks in splits(encoded):
        assert run(twin, blocks, strict=True) == (payload, end, unused), blocks


@pytest.mark.parametrize("name", sorted(LAX_ONLY))
def test_lax_only_refused_when_strict(twin: ModuleType, name: str) -> None:
    (encoded,) = [c[1] for c in VALID if c[0] == name]
    with pytest.raises(TransferEncodingError):
        run(twin, [encoded], strict=True)


BAD: list[tuple[str, bytes, type[ParseError], dict[str, int]]] = [
    ("18-digits", b"fffffffffffffffff1\r\n", TransferEncodingError, {}),
    ("17-digits", b"10000000000000000\r\n", TransferEncodingError, {}),
    ("17-digits-zeros", b"00000000000000001\r\nx\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("2**63", b"8000000000000000\r\n", TransferEncodingError, {}),
    ("2**64-1", b"ffffffffffffffff\r\n", TransferEncodingError, {}),
    ("minus", b"-1\r\n", TransferEncodingError, {}),
    ("0x", b"0x10\r\n", TransferEncodingError, {}),
    ("plus", b"+5\r\nhello\r\n", TransferEncodingError, {}),
    ("underscore", b"1_0\r\n", TransferEncodingError, {}),
    ("empty-size", b"\r\n", TransferEncodingError, {}),
    ("ext-only", b";a\r\n", TransferEncodingError, {}),
    ("leading-space", b" 5\r\nhello\r\n", TransferEncodingError, {}),
    ("non-hex", b"g\r\n", TransferEncodingError, {}),
    ("junk-after-size", b"5 x\r\nhello\r\n", TransferEncodingError, {}),
    ("nul-in-ext", b"5;a\x00\r\nhello\r\n", TransferEncodingError, {}),
    ("cr-in-ext", b"5;a\rb\r\nhello\r\n", TransferEncodingError, {}),
    # chunk extensions are checked (RFC 9112 §7.1.1), as llhttp and aiohttp do
    ("ext-empty", b"2;\r\nab\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-empty-ws", b"2; \r\nab\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-empty-between", b"2;a;;b\r\nab\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-unbalanced-quote", b'5;a="abc";b="def; ghi\r\nhello\r\n0\r\n\r\n',
     TransferEncodingError, {}),
    ("ext-escaped-close", b'5;a="abc\\"\r\nhello\r\n0\r\n\r\n', TransferEncodingError, {}),
    ("ext-no-value", b"5;a=\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-no-name", b"5;=b\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-name-space", b"5;a b\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-after-quote", b'5;a="b"c\r\nhello\r\n0\r\n\r\n', TransferEncodingError, {}),
    ("ext-value-separator", b"5;a=b/c\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-ctl-quoted", b'5;a="\x01"\r\nhello\r\n0\r\n\r\n', TransferEncodingError, {}),
    # no whitespace around ";" and "=" nor after a value, no obs-text outside quotes, as
    # llhttp (and so aiohttp's client and server); these were accepted before (as BWS)
    ("ext-ws-after-semicolon", b"5; a\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-ws-before-eq", b"5;a =b\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-ws-after-eq", b"5;a= b\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-ws-after-value", b"5;a=b \r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-tab-after-name", b"5;a\t\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-ws-after-quoted", b'5;a="b" \r\nhello\r\n0\r\n\r\n', TransferEncodingError, {}),
    ("ext-ws-between", b"5;a ;b\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-ws-last-chunk", b'5\r\nhello\r\n0 ; x = "y" \r\n\r\n', TransferEncodingError, {}),
    ("ext-obs-text", b"5;a=\xff\x80\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-obs-text-after", b"5;a=b\x80\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("ext-obs-text-name", b"5;\xe9=b\r\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    # strict (the request side, as aiohttp's server): nothing may follow the size but ";"
    ("strict-ws-after-size", b"5 \r\nhello\r\n0\r\n\r\n", TransferEncodingError, {"strict": True}),
    ("strict-tab-after-size", b"5\t;a\r\nhello\r\n0\r\n\r\n", TransferEncodingError,
     {"strict": True}),
    ("strict-ws-last-chunk", b"5\r\nhello\r\n0 \r\n\r\n", TransferEncodingError, {"strict": True}),
    ("ext-bare-lf", b"5;a=b\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("bare-lf-size", b"5\nhello\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("bare-lf-last", b"5\r\nhello\r\n0\n\r\n", TransferEncodingError, {}),
    ("bare-lf-end", b"0\r\n\n", TransferEncodingError, {}),
    ("bare-lf-trailer", b"0\r\nA: b\n\r\n", TransferEncodingError, {}),
    ("no-crlf-after-data", b"5\r\nhelloXX0\r\n\r\n", TransferEncodingError, {}),
    ("one-over", b"1\r\nab\r\n", TransferEncodingError, {}),
    ("lf-after-data", b"5\r\nhello\n0\r\n\r\n", TransferEncodingError, {}),
    ("cr-only-after-data", b"5\r\nhello\r0\r\n\r\n", TransferEncodingError, {}),
    ("short-chunk", b"5\r\nhell\r\n0\r\n\r\n", TransferEncodingError, {}),
    ("trailer-no-colon", b"0\r\nExpires\r\n\r\n", InvalidHeader, {}),
    ("trailer-space-name", b"0\r\nX Y: 1\r\n\r\n", InvalidHeader, {}),
    ("trailer-space-colon", b"0\r\nX : 1\r\n\r\n", InvalidHeader, {}),
    ("trailer-empty-name", b"0\r\n: 1\r\n\r\n", InvalidHeader, {}),
    ("trailer-obs-fold", b"0\r\nA: 1\r\n  folded\r\n\r\n", InvalidHeader, {}),
    ("trailer-nul", b"0\r\nA: 1\x002\r\n\r\n", InvalidHeader, {}),
    ("trailer-cr", b"0\r\nA: 1\r2\r\n\r\n", InvalidHeader, {}),
    ("trailer-del", b"0\r\nA: \x7f\r\n\r\n", InvalidHeader, {}),
    ("trailer-bad-name-char", b"0\r\nA\x00: 1\r\n\r\n", InvalidHeader, {}),
    ("trailer-name-utf8", b"0\r\ncaf\xc3\xa9: 1\r\n\r\n", InvalidHeader, {}),
]


@pytest.mark.parametrize("encoded,error,limits", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad(twin: ModuleType, encoded: bytes, error: type[ParseError],
             limits: dict[str, int]) -> None:
    for blocks in splits(encoded):
        with pytest.raises(error) as info:
            run(twin, blocks, **limits)
        assert type(info.value) is error, blocks


# -- limits: just under / at, and one over ------------------------------------------------

def _size_line(total: int) -> bytes:
    """A size line of exactly ``total`` bytes before its CRLF (an extension pads it)."""
    return b"3;" + b"e" * (total - 2)


@pytest.mark.parametrize("limit", [10, 100, 8190])
def test_size_line_limit(twin: ModuleType, limit: int) -> None:
    kw = {} if limit == 8190 else {"max_line_size": limit}
    ok = _size_line(limit) + b"\r\nabc\r\n0\r\n\r\n"
    bad = _size_line(limit + 1) + b"\r\nabc\r\n0\r\n\r\n"
    blocks_list = [[ok], [ok[i:i + 1] for i in range(len(ok))], [ok[:limit], ok[limit:]],
                   [ok[:limit + 1], ok[limit + 1:]]]
    for blocks in blocks_list:
        assert run(twin, blocks, **kw) == (b"abc", MESSAGE_END, b"")
    for blocks in ([bad], [bad[i:i + 1] for i in range(len(bad))], [bad[:limit + 1], bad[limit + 1:]]):
        with pytest.raises(LineTooLong):
            run(twin, blocks, **kw)
    # The last-chunk line counts too.
    last = b"3\r\nabc\r\n0;" + b"e" * (limit - 2)
    assert run(twin, [last + b"\r\n\r\n"], **kw)[1] == MESSAGE_END
    with pytest.raises(LineTooLong):
        run(twin, [last + b"e\r\n\r\n"], **kw)


@pytest.mark.parametrize("limit", [10, 8190])
def test_overlong_line_without_lf_fails_early(twin: ModuleType, limit: int) -> None:
    """No LF after limit + 2 bytes: no legal line can follow, so fail without waiting."""
    kw = {"max_line_size": limit, "max_field_size": limit}
    dec = twin.ChunkedDecoder(**kw)
    assert dec.feed(b"1" + b";" * limit) == []  # limit + 1 bytes: a CR might still come
    with pytest.raises(LineTooLong):
        dec.feed(b";")
    dec = twin.ChunkedDecoder(**kw)
    dec.feed(b"0\r\n")
    assert dec.feed(b"X:" + b"v" * (limit - 1)) == []
    with pytest.raises(LineTooLong):
        dec.feed(b"v")


@pytest.mark.parametrize("limit", [12, 8190])
def test_trailer_field_limit(twin: ModuleType, limit: int) -> None:
    kw = {} if limit == 8190 else {"max_field_size": limit}
    field = b"X:" + b"v" * (limit - 2)
    ok = b"0\r\n" + field + b"\r\n\r\n"
    for blocks in ([ok], [ok[i:i + 1] for i in range(len(ok))]):
        assert run(twin, blocks, **kw)[1] == T((b"X", b"v" * (limit - 2)))
    bad = b"0\r\n" + field + b"v\r\n\r\n"
    for blocks in ([bad], [bad[i:i + 1] for i in range(len(bad))]):
        with pytest.raises(LineTooLong):
            run(twin, blocks, **kw)


@pytest.mark.parametrize("limit", [0, 2, 128])
def test_max_trailers(twin: ModuleType, limit: int) -> None:
    kw = {} if limit == 128 else {"max_trailers": limit}
    fields = [b"T%d: %d" % (i, i) for i in range(limit + 1)]
    ok = b"0\r\n" + b"".join(f + b"\r\n" for f in fields[:limit]) + b"\r\n"
    end = run(twin, [ok], **kw)[1]
    assert len(end.trailers) == limit
    assert end.trailers[-1:] == ((b"T%d" % (limit - 1), b"%d" % (limit - 1)),)[: min(limit, 1)]
    bad = b"0\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n"
    for blocks in ([bad], [bad[i:i + 1] for i in range(len(bad))]):
        with pytest.raises(TooManyHeaders):
            run(twin, blocks, **kw)


def test_max_chunk_size_accepted(twin: ModuleType) -> None:
    """2**63 - 1 is the largest size; it is read as a (never-ending) chunk, not an error."""
    dec = twin.ChunkedDecoder()
    assert dec.feed(b"7fffffffffffffff\r\nabc") == [b"abc"]
    assert dec.feed(b"x" * 1000) == [b"x" * 1000]
    assert not dec.done


# -- slicing: pieces come straight from the fed block --------------------------------------

def test_whole_block_of_payload_is_returned_itself(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder()
    dec.feed(b"100000\r\n")
    block = bytes(range(256)) * 256
    out = dec.feed(block)
    assert len(out) == 1 and out[0] is block


def test_chunk_inside_a_block_is_one_piece(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder()
    body = b"x" * 5000
    out = dec.feed(b"1388\r\n" + body + b"\r\n0\r\n\r\n")
    assert out == [body, MESSAGE_END]
    assert out[-1] is MESSAGE_END


# -- coalescing: the payload of one feed is one piece ---------------------------------------

COALESCE = [
    # id, encoded, payload
    ("three-chunks", b"1\r\na\r\n2\r\nbc\r\n3\r\ndef\r\n0\r\n\r\n", b"abcdef"),
    ("big-and-small", b"1388\r\n" + b"x" * 5000 + b"\r\n1\r\ny\r\n0\r\n\r\n", b"x" * 5000 + b"y"),
    ("with-ext-and-trailer", b"2;a=b\r\nhi\r\n3\r\nyou\r\n0\r\nT: 1\r\n\r\n", b"hiyou"),
]


@pytest.mark.parametrize("encoded, payload", [c[1:] for c in COALESCE], ids=[c[0] for c in COALESCE])
def test_chunks_of_one_feed_are_one_piece(twin: ModuleType, encoded: bytes, payload: bytes) -> None:
    out = twin.ChunkedDecoder().feed(encoded)
    assert len(out) == 2 and type(out[0]) is bytes and isinstance(out[1], EndOfMessage)
    assert out[0] == payload


@pytest.mark.parametrize("encoded, payload", [c[1:] for c in COALESCE], ids=[c[0] for c in COALESCE])
def test_chunks_fed_byte_by_byte_concatenate(twin: ModuleType, encoded: bytes,
                                             payload: bytes) -> None:
    dec = twin.ChunkedDecoder()
    pieces = []
    for i in range(len(encoded)):
        out = dec.feed(encoded[i:i + 1])
        assert len([ev for ev in out if type(ev) is bytes]) <= 1
        pieces += [ev for ev in out if type(ev) is bytes]
    assert dec.done
    assert all(len(piece) == 1 for piece in pieces)
    assert b"".join(pieces) == payload


def enc(*sizes: int) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (n, bytes([65 + i % 26]) * n) for i, n in enumerate(sizes))


CAP = 65536  # both twins' PIECE_CAP


@pytest.mark.parametrize("sizes, pieces", [
    ((CAP - 2, 1, 1), [CAP]),                 # exactly the cap: one piece
    ((CAP - 2, 1, 2), [CAP - 1, 2]),          # one over: the last chunk starts a new piece
    ((10, CAP + 5, 10), [10, CAP + 5, 10]),   # a chunk over the cap stays its own slice
    ((CAP, CAP, 3, 4), [CAP, CAP, 7]),
    ((1000,) * 200, [65000] * 3 + [5000]),
], ids=["at-cap", "over-cap", "big-chunk", "two-full", "many-small"])
def test_joined_pieces_stay_within_the_cap(twin: ModuleType, sizes: tuple, pieces: list) -> None:
    assert twin.PIECE_CAP == CAP
    data = enc(*sizes) + b"0\r\n\r\n"
    out = twin.ChunkedDecoder().feed(data)
    assert out[-1] is MESSAGE_END
    assert [len(piece) for piece in out[:-1]] == pieces
    assert b"".join(out[:-1]) == run(twin, [data])[0]


def test_one_piece_per_feed_across_blocks(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder()
    assert dec.feed(b"3\r\nabc\r\n2\r\nd") == [b"abcd"]
    assert dec.feed(b"e\r\n1\r\nf\r\n0\r\n\r") == [b"ef"]
    assert dec.feed(b"\n") == [MESSAGE_END]


def test_chunk_across_blocks(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder()
    assert dec.feed(b"a\r\n01234") == [b"01234"]
    assert dec.feed(b"56789\r") == [b"56789"]
    assert dec.feed(b"\n") == []
    assert dec.feed(b"0\r\n\r") == []
    assert dec.feed(b"\n") == [MESSAGE_END]


# -- lifecycle ------------------------------------------------------------------------------

def test_feed_after_done_appends_to_unused(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder()
    assert dec.feed(b"0\r\n\r\nab") == [MESSAGE_END]
    assert dec.feed(b"cd") == []
    assert dec.feed(b"") == []
    assert dec.feed(b"e") == []
    assert dec.unused() == b"abcde"
    assert dec.unused() == b"abcde"
    assert dec.done


def test_unused_is_empty_before_the_end(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder()
    dec.feed(b"3\r\nab")
    assert dec.unused() == b"" and not dec.done
    assert dec.feed(b"") == []


def test_reset_reuses_the_decoder(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder(max_trailers=1)
    assert dec.feed(b"3\r\nabc\r\n0\r\nA: 1\r\n\r\nrest")[-1] == T((b"A", b"1"))
    dec.reset()
    assert not dec.done and dec.unused() == b""
    # trailers, unused and the partial line are forgotten; limits are kept
    assert dec.feed(b"2\r\nxy\r\n0\r\nB: 2\r\n\r\n") == [b"xy", T((b"B", b"2"))]
    dec.reset()
    dec.feed(b"1;abc")  # a partial line, then reset mid-message
    dec.reset()
    assert dec.feed(b"1\r\nz\r\n0\r\n\r\n") == [b"z", MESSAGE_END]
    dec.reset()
    with pytest.raises(TooManyHeaders):
        dec.feed(b"0\r\nA: 1\r\nB: 2\r\n\r\n")


def test_done_is_read_only(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder()
    with pytest.raises(AttributeError):
        dec.done = True  # type: ignore[misc]


def test_limits_are_keyword_only(twin: ModuleType) -> None:
    with pytest.raises(TypeError):
        twin.ChunkedDecoder(100)  # type: ignore[misc]


def test_chooser_exports_the_active_twin() -> None:
    expected = chunked.ChunkedDecoderC if _accel.USE_EXTENSIONS else chunked.ChunkedDecoderPy
    assert chunked.ChunkedDecoder is expected
    assert chunked.ChunkedDecoderPy.__module__ == "cyhttp._core._chunked_py"
    assert chunked.ChunkedDecoderC.__module__ == "cyhttp._core._chunked_c"


@pytest.mark.parametrize("arg", [bytearray(b"0\r\n\r\n"), memoryview(b"0\r\n\r\n"), "0\r\n\r\n", None])
def test_feed_takes_bytes_only(twin: ModuleType, arg: Any) -> None:
    with pytest.raises(TypeError):
        twin.ChunkedDecoder().feed(arg)


@pytest.mark.parametrize("name", ["max_line_size", "max_trailers", "max_field_size"])
def test_limit_values(twin: ModuleType, name: str) -> None:
    import sys

    with pytest.raises(ValueError):
        twin.ChunkedDecoder(**{name: -1})
    with pytest.raises(OverflowError):
        twin.ChunkedDecoder(**{name: sys.maxsize + 1})
    huge = twin.ChunkedDecoder(**{name: sys.maxsize})
    assert huge.feed(b"1;x\r\na\r\n0\r\nA: b\r\n\r\n") == [b"a", T((b"A", b"b"))]
    zero = twin.ChunkedDecoder(**{name: 0})
    error = {"max_line_size": LineTooLong, "max_trailers": TooManyHeaders,
             "max_field_size": LineTooLong}[name]
    with pytest.raises(error):
        zero.feed(b"1;x\r\na\r\n0\r\nA: b\r\n\r\n")


def test_reset_after_an_error(twin: ModuleType) -> None:
    dec = twin.ChunkedDecoder(max_line_size=20)
    dec.feed(b"3;" + b"x" * 10)  # a partial line is buffered, then the line overflows
    with pytest.raises(LineTooLong):
        dec.feed(b"x" * 20)
    dec.reset()
    assert dec.feed(b"3\r\nabc\r\n0\r\n\r\n") == [b"abc", MESSAGE_END]
