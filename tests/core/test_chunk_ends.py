"""Chunk boundaries: ``ChunkedDecoder.chunk_ends()`` and the parser's ``ChunkEnds`` events,
both twins, each case fed whole and byte by byte (and at every split for the decoder)."""

from __future__ import annotations

from array import array

import pytest

from cyhttp._core.events import ChunkEnds
from tests.conftest import twin_fixture

from ._http_parser_util import bytewise, normalise, pieces, run

chunked_twin = twin_fixture("chunked")
parser_twin = twin_fixture("http_parser")

CASES = [
    ("two", b"5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n", (5, 8)),
    ("none", b"0\r\n\r\n", ()),
    ("ext-and-trailers", b"2;a=b\r\nab\r\n1 \r\nc\r\n0\r\nX: y\r\n\r\n", (2, 3)),
    ("leading-zeros", b"0003\r\nabc\r\n000\r\n\r\n", (3,)),
    ("many", b"".join(b"1\r\n%c\r\n" % (65 + i) for i in range(40)) + b"0\r\n\r\n",
     tuple(range(1, 41))),
    ("big", b"10000\r\n" + b"x" * 65536 + b"\r\n2\r\nyz\r\n0\r\n\r\n", (65536, 65538)),
]


def decoder_ends(mod, blocks: list[bytes]) -> tuple[int, ...]:
    dec = mod.ChunkedDecoder()
    ends: list[int] = []
    payload = 0
    for block in blocks:
        events = dec.feed(block)
        found = dec.chunk_ends()
        if found is not None:
            assert found.base == payload
            assert found.ends == array("q", found.offsets()).tobytes()
            ends += found.offsets()
        payload += sum(len(e) for e in events if type(e) is bytes)
    assert dec.done
    return tuple(ends)


@pytest.mark.parametrize("name,body,expected", CASES, ids=[c[0] for c in CASES])
def test_decoder_chunk_ends(chunked_twin, name, body, expected):
    assert decoder_ends(chunked_twin, [body]) == expected
    assert decoder_ends(chunked_twin, bytewise(body)) == expected
    if len(body) < 400:
        for cut in range(1, len(body)):
            assert decoder_ends(chunked_twin, [body[:cut], body[cut:]]) == expected


def test_end_recorded_when_crlf_passes_not_when_data_ends(chunked_twin):
    dec = chunked_twin.ChunkedDecoder()
    assert dec.feed(b"5\r\nhello") == [b"hello"]
    assert dec.chunk_ends() is None  # the CRLF has not come: llhttp reports it then too
    assert dec.feed(b"\r") == [] and dec.chunk_ends() is None
    assert dec.feed(b"\n3\r\nab") == [b"ab"]
    assert dec.chunk_ends() == ChunkEnds(array("q", [5]).tobytes(), 5)
    dec.reset()
    assert dec.chunk_ends() is None
    dec.feed(b"1\r\nz\r\n")
    assert dec.chunk_ends().offsets() == (1,)  # offsets restart with each body


@pytest.mark.parametrize("name,body,expected", CASES, ids=[c[0] for c in CASES])
def test_parser_chunk_ends(parser_twin, name, body, expected):
    data = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    for blocks in ([data], bytewise(data) if len(data) < 2000 else pieces(data, range(7, len(data), 997))):
        events, _, _ = run(parser_twin, blocks)
        found = [ev[1] for ev in events if isinstance(ev, tuple) and ev[0] == "chunk_ends"]
        assert found == ([expected] if expected else [])


def test_parser_chunk_ends_precede_the_feeds_payload(parser_twin):
    parser = parser_twin.ResponseParser()
    events = parser.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde")
    assert events[1:] == [ChunkEnds(array("q", [3]).tobytes(), 0), b"abcde"]
    assert parser.feed(b"\r\n0\r\n\r\n")[0] == ChunkEnds(array("q", [5]).tobytes(), 5)


def test_chunk_ends_value_semantics():
    a = ChunkEnds(array("q", [1, 2]).tobytes(), 0)
    assert a == ChunkEnds(array("q", [1, 2]).tobytes(), 0) and hash(a) == hash(ChunkEnds(a.ends, 0))
    assert a != ChunkEnds(a.ends, 1) and a != (1, 2)
    assert "offsets=(1, 2)" in repr(a)


# -- a feed that fails reports the chunks it passed before the error (exc.events) ----------

H = b"HTTP/1.1 200\r\nContent-Type: \r\nTransfer-Encoding: chunked\r\n\r\n"
ERROR_CASES = [
    # (id, body after the head, the payload and chunk ends reported before the error)
    ("bare-lf-after-second-chunk", b"1\r\nc\r\n1\r\nc\n\n0\r\n\r\n", b"cc", (1,)),
    ("bad-size-after-two", b"2\r\nab\r\n1\r\nc\r\nzz\r\n", b"abc", (2, 3)),
    ("bad-trailer", b"2\r\nab\r\n1\r\nc\r\n0\r\nA B: 1\r\n\r\n", b"abc", (2, 3)),
    ("bad-crlf-no-end", b"5\r\nhelloXX", b"hello", ()),
]


def parser_error_outcome(mod, blocks: list[bytes]) -> tuple:
    from cyhttp._core.errors import ParseError

    parser = mod.ResponseParser()
    events: list = []
    try:
        for block in blocks:
            events.extend(parser.feed(block))
    except ParseError as exc:
        events.extend(exc.events)
        out = normalise(events)
        payload = b"".join(e for e in out if isinstance(e, bytes))
        ends = [e[1] for e in out if isinstance(e, tuple) and e[0] == "chunk_ends"]
        return type(exc).__name__, payload, ends[0] if ends else ()
    raise AssertionError("no error")


@pytest.mark.parametrize("name,body,payload,ends", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_parser_error_keeps_the_chunk_ends_it_passed(parser_twin, name, body, payload, ends):
    # The fuzz finding: given whole, the error used to drop the ChunkEnds its feed made,
    # so readchunk() saw the boundary only when the bytes came apart.
    data = H + body
    expected = ("TransferEncodingError" if name != "bad-trailer" else "InvalidHeader",
                payload, ends)
    assert parser_error_outcome(parser_twin, [data]) == expected
    assert parser_error_outcome(parser_twin, bytewise(data)) == expected
    for cut in range(1, len(data)):
        assert parser_error_outcome(parser_twin, [data[:cut], data[cut:]]) == expected


def test_decoder_chunk_ends_after_an_error(chunked_twin):
    from cyhttp._core.errors import TransferEncodingError

    dec = chunked_twin.ChunkedDecoder()
    dec.feed(b"1\r\na")
    with pytest.raises(TransferEncodingError) as info:
        dec.feed(b"\r\n2\r\nbc\r\nzz\r\n")
    assert info.value.events == [b"bc"]
    assert dec.chunk_ends() == ChunkEnds(array("q", [1, 3]).tobytes(), 1)
