"""``exc.events``: a ParseError raised by ``feed()`` carries the events that same call had
produced before the error (response parser and chunked decoder, both twins, whole and byte
by byte); earlier calls' events are not repeated; ``[]`` when there are none."""

from __future__ import annotations

from array import array

import pytest

from cyhttp._core.errors import (
    BadStatusLine,
    ContentLengthError,
    IncompleteMessage,
    InvalidHeader,
    ParseError,
    TransferEncodingError,
    WSProtocolError,
)
from cyhttp._core.events import ChunkEnds
from tests.conftest import twin_fixture

from ._http_parser_util import bytewise, normalise

parser_twin = twin_fixture("http_parser")
chunked_twin = twin_fixture("chunked")

H_CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
H_LEN = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
HEAD_ONLY = ("head", 200)

# (id, stream, expected error, what was produced before it: ("head", status) | bytes | "end")
CASES = [
    ("bad-status-first", b"HTTP/1.1 2x0 OK\r\n\r\n", BadStatusLine, []),
    ("head-then-bad-chunk-size", H_CHUNKED + b"zz\r\n", TransferEncodingError, [HEAD_ONLY]),
    ("head-chunk-then-bad-crlf", H_CHUNKED + b"5\r\nhelloXX", TransferEncodingError,
     [HEAD_ONLY, b"hello"]),
    ("head-chunks-then-bad-trailer", H_CHUNKED + b"2\r\nab\r\n1\r\nc\r\n0\r\nA B: 1\r\n\r\n",
     InvalidHeader, [HEAD_ONLY, b"abc"]),
    ("second-response-bad", H_LEN + b"ok" + b"HTTP/1.1 999x\r\n\r\n", BadStatusLine,
     [HEAD_ONLY, b"ok", "end"]),
    ("second-response-bad-length", H_LEN + b"okHTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
     ContentLengthError, [HEAD_ONLY, b"ok", "end"]),
    ("interim-100-then-bad", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 20 OK\r\n\r\n",
     BadStatusLine, [("head", 100)]),
    ("chunked-then-bad-next", H_CHUNKED + b"1\r\nx\r\n0\r\n\r\nICY 200 OK\r\n\r\n",
     BadStatusLine, [HEAD_ONLY, b"x", "end"]),
]


def brief(events: list) -> list:
    """Heads → ("head", status), end markers → "end", body pieces joined."""
    out: list = []
    for ev in normalise(events):
        if isinstance(ev, bytes):
            out.append(ev)
        elif ev[0] == "end":
            out.append("end")
        elif ev[0] == "chunk_ends":
            continue  # boundaries: tests/core/test_chunk_ends.py
        else:
            out.append(("head", ev[2]))
    return out


def feed_all(parser, chunks: list[bytes]) -> tuple[list, ParseError]:
    """Feed until the error: (events returned before the failing call, the error)."""
    returned: list = []
    for chunk in chunks:
        try:
            returned.extend(parser.feed(chunk))
        except ParseError as exc:
            return returned, exc
    raise AssertionError("no error raised")


@pytest.mark.parametrize("name, data, error, before", CASES, ids=[c[0] for c in CASES])
def test_whole_feed_attaches_its_events(parser_twin, name, data, error, before):
    returned, exc = feed_all(parser_twin.ResponseParser(), [data])
    assert type(exc) is error
    assert returned == []
    assert isinstance(exc.events, list)
    assert brief(exc.events) == before


@pytest.mark.parametrize("name, data, error, before", CASES, ids=[c[0] for c in CASES])
def test_byte_by_byte_same_events_overall(parser_twin, name, data, error, before):
    returned, exc = feed_all(parser_twin.ResponseParser(), bytewise(data))
    assert type(exc) is error
    assert brief(returned + exc.events) == before
    # one byte completes at most one event here, and the failing byte completes none
    assert exc.events == []


def test_earlier_calls_events_not_repeated(parser_twin):
    parser = parser_twin.ResponseParser()
    assert brief(parser.feed(H_CHUNKED + b"3\r\nabc\r\n")) == [HEAD_ONLY, b"abc"]
    with pytest.raises(TransferEncodingError) as info:
        parser.feed(b"2\r\nde\r\nq\r\n")
    # the chunk this call passed before the error ends at payload offset 5 (3 came before)
    assert info.value.events == [ChunkEnds(array("q", [5]).tobytes(), 3), b"de"]


def test_feed_eof_errors_carry_no_events(parser_twin):
    parser = parser_twin.ResponseParser()
    assert brief(parser.feed(H_LEN + b"o")) == [HEAD_ONLY, b"o"]
    with pytest.raises(ContentLengthError) as info:
        parser.feed(b"")
    assert info.value.events == []
    parser = parser_twin.ResponseParser()
    parser.feed(b"HTTP/1.1 200")
    with pytest.raises(IncompleteMessage) as info:
        parser.feed_eof()
    assert info.value.events == []


def test_attached_head_is_complete(parser_twin):
    parser = parser_twin.ResponseParser()
    with pytest.raises(TransferEncodingError) as info:
        parser.feed(H_CHUNKED.replace(b"\r\n\r\n", b"\r\nX-A: 1\r\n\r\n") + b"-1\r\n")
    (head,) = info.value.events
    assert head.status == 200 and head.chunked and head.headers["X-A"] == "1"


# -- the chunked decoder on its own ------------------------------------------

CHUNKED_CASES = [
    ("bad-size-first", b"zz\r\n", TransferEncodingError, b""),
    ("data-then-bad-crlf", b"5\r\nhelloXX", TransferEncodingError, b"hello"),
    ("two-chunks-then-bad-size", b"2\r\nab\r\n1\r\nc\r\n1x\r\n", TransferEncodingError, b"abc"),
    ("data-then-bad-trailer", b"3\r\nabc\r\n0\r\n:x\r\n\r\n", InvalidHeader, b"abc"),
]


@pytest.mark.parametrize("name, data, error, payload", CHUNKED_CASES,
                         ids=[c[0] for c in CHUNKED_CASES])
def test_chunked_whole_feed_attaches_payload(chunked_twin, name, data, error, payload):
    with pytest.raises(error) as info:
        chunked_twin.ChunkedDecoder().feed(data)
    # The payload decoded before the error, as one piece (none when there is none).
    assert info.value.events == ([payload] if payload else [])


@pytest.mark.parametrize("name, data, error, payload", CHUNKED_CASES,
                         ids=[c[0] for c in CHUNKED_CASES])
def test_chunked_byte_by_byte(chunked_twin, name, data, error, payload):
    decoder = chunked_twin.ChunkedDecoder()
    got = b""
    with pytest.raises(error) as info:
        for byte in bytewise(data):
            got += b"".join(decoder.feed(byte))
    assert info.value.events == []
    assert got == payload


def test_every_engine_error_has_events():
    assert ParseError("x").events == []
    assert WSProtocolError(1002, "x").events == []
    assert ParseError("a").events is not ParseError("b").events


ws_twin = twin_fixture("ws_reader")


def test_ws_reader_error_events_are_its_messages(ws_twin):
    good = bytes([0x82, 2]) + b"ok"
    bad = bytes([0x83, 0])  # opcode 3 is reserved
    reader = ws_twin.FrameReader()
    with pytest.raises(WSProtocolError) as info:
        reader.feed(good + bad)
    assert [tuple(m[:2]) for m in info.value.events] == [(2, b"ok")]
    assert info.value.events is info.value.messages
    with pytest.raises(WSProtocolError) as info:
        reader.feed(good)  # spent: the same error again, with nothing attached
    assert info.value.events == [] and info.value.messages == []
