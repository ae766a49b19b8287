"""Response parser: bad input → the named error type (both twins, whole and byte by byte),
every limit one byte under (parses) and one byte over (raises), truncation at EOF."""

from __future__ import annotations

import pytest

from cyhttp._core.errors import (
    BadHttpMessage,
    BadStatusLine,
    ContentLengthError,
    IncompleteMessage,
    InvalidHeader,
    LineTooLong,
    TooManyHeaders,
    TransferEncodingError,
)
from tests.conftest import twin_fixture

from ._http_parser_util import bytewise, run

twin = twin_fixture("http_parser")

OK = b"HTTP/1.1 200 OK\r\n"


def F(*lines: bytes) -> bytes:
    """A 200 head with these field lines."""
    return OK + b"".join(line + b"\r\n" for line in lines) + b"\r\n"


BAD = [
    # status line
    ("status-4-digits", b"HTTP/1.1 2000 OK\r\n\r\n", BadStatusLine),
    ("status-2-digits", b"HTTP/1.1 20 OK\r\n\r\n", BadStatusLine),
    ("status-letters", b"HTTP/1.1 2x0 OK\r\n\r\n", BadStatusLine),
    ("status-below-100", b"HTTP/1.1 099 OK\r\n\r\n", BadStatusLine),
    ("http2", b"HTTP/2.0 200\r\n\r\n", BadStatusLine),
    ("http-lower", b"http/1.1 200 OK\r\n\r\n", BadStatusLine),
    ("no-space", b"HTTP/1.1200 OK\r\n\r\n", BadStatusLine),
    ("two-spaces", b"HTTP/1.1  200 OK\r\n\r\n", BadStatusLine),
    ("tab-separator", b"HTTP/1.1\t200 OK\r\n\r\n", BadStatusLine),
    ("version-2-digits", b"HTTP/1.10 200 OK\r\n\r\n", BadStatusLine),
    ("not-http", b"ICY 200 OK\r\n\r\n", BadStatusLine),
    ("reason-nul", b"HTTP/1.1 200 O\x00K\r\n\r\n", BadStatusLine),
    ("reason-bare-cr", b"HTTP/1.1 200 O\rK\r\n\r\n", BadStatusLine),
    ("status-line-bare-lf", b"HTTP/1.1 200 OK\n\r\n", BadHttpMessage),
    # fields
    ("obs-fold", F(b"A: b", b" c"), InvalidHeader),
    ("obs-fold-tab", F(b"A: b", b"\tc"), InvalidHeader),
    ("first-field-folded", F(b" A: b"), InvalidHeader),
    ("value-nul", F(b"A: b\x00c"), InvalidHeader),
    ("value-bare-cr", F(b"A: b\rc"), InvalidHeader),
    ("value-ctl", F(b"A: b\x01c"), InvalidHeader),
    ("value-del", F(b"A: b\x7f"), InvalidHeader),
    ("value-bare-lf", OK + b"A: b\nc: d\r\n\r\n", BadHttpMessage),
    ("field-bare-lf-end", OK + b"A: b\n\r\n", BadHttpMessage),
    ("blank-line-bare-lf", OK + b"A: b\r\n\n", BadHttpMessage),
    ("space-before-colon", F(b"A : b"), InvalidHeader),
    ("tab-before-colon", F(b"A\t: b"), InvalidHeader),
    ("empty-name", F(b": b"), InvalidHeader),
    ("no-colon", F(b"A b"), InvalidHeader),
    ("name-bad-char", F(b"A(b): c"), InvalidHeader),
    ("name-utf8", F("Ä: b".encode()), InvalidHeader),
    ("name-slash", F(b"A/B: c"), InvalidHeader),
    # framing
    ("cl-and-te", F(b"Content-Length: 3", b"Transfer-Encoding: chunked"),
     TransferEncodingError),
    ("te-and-cl", F(b"Transfer-Encoding: chunked", b"Content-Length: 3"),
     TransferEncodingError),
    ("cl-differ", F(b"Content-Length: 3", b"Content-Length: 4"), ContentLengthError),
    ("cl-repeat", F(b"Content-Length: 3", b"content-length: 3"), ContentLengthError),
    ("cl-plus", F(b"Content-Length: +5"), ContentLengthError),
    ("cl-minus", F(b"Content-Length: -1"), ContentLengthError),
    ("cl-underscore", F(b"Content-Length: 1_0"), ContentLengthError),
    ("cl-letters", F(b"Content-Length: 1a"), ContentLengthError),
    ("cl-empty", F(b"Content-Length:"), ContentLengthError),
    ("cl-list", F(b"Content-Length: 3, 3"), ContentLengthError),
    ("cl-inner-space", F(b"Content-Length: 1 0"), ContentLengthError),
    ("cl-19-digits", F(b"Content-Length: 1000000000000000000"), ContentLengthError),
    ("cl-unicode-digit", F("Content-Length: ３".encode()), ContentLengthError),
    ("chunked-twice", F(b"Transfer-Encoding: chunked, chunked"), TransferEncodingError),
    ("chunked-twice-fields", F(b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked"),
     TransferEncodingError),
    ("chunked-framing", F(b"Transfer-Encoding: chunked") + b"zz\r\n", TransferEncodingError),
]


def _raises(mod, chunks, err, **kwargs):
    with pytest.raises(BadHttpMessage) as info:
        run(mod, chunks, **kwargs)
    assert type(info.value) is err, info.value


@pytest.mark.parametrize("data,err", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_whole(twin, data, err):
    _raises(twin, [data], err)


@pytest.mark.parametrize("data,err", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_bytewise(twin, data, err):
    _raises(twin, bytewise(data), err)


@pytest.mark.parametrize("data,err", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_after_a_good_response(twin, data, err):
    good = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    _raises(twin, [good + data], err)
    _raises(twin, [good, data], err)


# -- limits: one byte under parses, one byte over raises ---------------------------

def _status_line(n: int) -> bytes:
    return b"HTTP/1.1 200 " + b"r" * (n - 13)


def _field(n: int) -> bytes:
    return b"X: " + b"v" * (n - 3)


def _limit_cases():
    cases = []
    for size in (40, 100):
        line = _status_line(size)
        cases.append((f"status-line-{size}", line + b"\r\n\r\n", {"max_line_size": size}))
        field = _field(size)
        cases.append((f"field-{size}", F(field), {"max_field_size": size}))
    return cases


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
@pytest.mark.parametrize("name,data,kwargs", _limit_cases(), ids=[c[0] for c in _limit_cases()])
def test_line_limits(twin, mode, name, data, kwargs):
    split = (lambda d: [d]) if mode == "whole" else bytewise
    (key, size), = kwargs.items()
    run(twin, split(data), **{key: size})  # exactly at the limit: parses
    with pytest.raises(LineTooLong) as info:
        run(twin, split(data), **{key: size - 1})
    assert type(info.value) is LineTooLong


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_max_headers(twin, mode):
    split = (lambda d: [d]) if mode == "whole" else bytewise
    data = F(*[b"X-%d: v" % i for i in range(10)])
    events, _, _ = run(twin, split(data), max_headers=10, eof=True)
    assert len(events[0][5]) == 10
    with pytest.raises(TooManyHeaders):
        run(twin, split(data), max_headers=9)


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_max_head_size(twin, mode):
    split = (lambda d: [d]) if mode == "whole" else bytewise
    data = F(b"A: 1", b"B: 2222", b"Content-Length: 0")
    events, _, _ = run(twin, split(data), max_head_size=len(data))
    assert events[-1] == ("end", ())
    with pytest.raises(LineTooLong) as info:
        run(twin, split(data), max_head_size=len(data) - 1)
    assert type(info.value) is LineTooLong


def test_default_head_size_allows_every_line_limit(twin):
    # the default head bound never refuses a head the line and count limits allow
    data = F(*[_field(200) for _ in range(8)])
    run(twin, [data], max_line_size=200, max_field_size=200, max_headers=8, eof=True)


def test_unfinished_lines_are_bounded(twin):
    # no LF ever comes: the error arrives as soon as the limit is passed
    parser = twin.ResponseParser(max_line_size=50)
    parser.feed(b"HTTP/1.1 200 " + b"r" * 37)  # 50 bytes: still fine
    parser.feed(b"\r")  # a CR may be the start of the CRLF
    with pytest.raises(LineTooLong):
        parser.feed(b"x")
    parser = twin.ResponseParser(max_field_size=20)
    parser.feed(OK + b"X: " + b"v" * 17)
    with pytest.raises(LineTooLong):
        parser.feed(b"v")
    parser = twin.ResponseParser(max_head_size=100)
    parser.feed(OK + b"A: b\r\n" * 13 + b"A: ")
    with pytest.raises(LineTooLong):
        parser.feed(b"b\r\n")


# -- EOF ------------------------------------------------------------------------------

EOF_CASES = [
    ("head-partial", b"HTTP/1.1 200 OK\r\nContent-Le", IncompleteMessage),
    ("status-partial", b"HTT", IncompleteMessage),
    ("head-no-blank", b"HTTP/1.1 200 OK\r\n", IncompleteMessage),
    ("length-short", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", ContentLengthError),
    ("chunked-short", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
     TransferEncodingError),
    ("chunked-no-last", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n",
     TransferEncodingError),
]


@pytest.mark.parametrize("data,err", [c[1:] for c in EOF_CASES], ids=[c[0] for c in EOF_CASES])
def test_truncated_at_eof(twin, data, err):
    for chunks in ([data], bytewise(data)):
        with pytest.raises(BadHttpMessage) as info:
            run(twin, chunks, eof=True)
        assert type(info.value) is err


def test_lax_only_relaxes_line_ends(twin):
    run(twin, [OK + b"A: b\n\n"], lax=True)
    for data, err in ((OK + b"A: b\n c\n\n", InvalidHeader), (OK + b"A: b\x00\n\n", InvalidHeader),
                      (OK + b"A : b\n\n", InvalidHeader), (b"HTTP/1.1 20 OK\n\n", BadStatusLine)):
        with pytest.raises(BadHttpMessage) as info:
            run(twin, [data], lax=True)
        assert type(info.value) is err
