"""Request parser: bad requests → the named error type and its status hint (both twins,
whole, byte by byte, every split, after a good request), every limit at, under and one
byte over, truncation at EOF.  Cases after llhttp's request corpus (test/request/*.md)."""

from __future__ import annotations

import pytest

from cyhttp._core.errors import (
    BadHttpMessage,
    BadHttpMethod,
    BadHttpVersion,
    BadStatusLine,
    ContentLengthError,
    IncompleteMessage,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    ParseError,
    TooManyHeaders,
    TransferEncodingError,
)
from tests.conftest import twin_fixture

from ._http_parser_util import bytewise, pieces, run_requests

twin = twin_fixture("http_parser")

GET = b"GET / HTTP/1.1\r\n"


def F(*lines: bytes, line: bytes = GET) -> bytes:
    """A request with this request line (CRLF included) and these field lines."""
    return line + b"".join(f + b"\r\n" for f in lines) + b"\r\n"


def P(body: bytes, *lines: bytes) -> bytes:
    """A chunked POST with this body."""
    return F(b"Host: a", b"Transfer-Encoding: chunked", *lines,
             line=b"POST / HTTP/1.1\r\n") + body


def L(line: bytes) -> bytes:
    return line + b"\r\nHost: a\r\n\r\n"


BAD = [
    # request line
    ("no-sp", L(b"GET"), BadStatusLine),
    ("one-sp", L(b"GET /"), BadStatusLine),
    ("tls-on-plain-port", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", BadHttpMethod),
    ("method-bad-char", L(b"G(T / HTTP/1.1"), BadHttpMethod),
    ("method-at", L(b"GE@T / HTTP/1.1"), BadHttpMethod),
    ("method-utf8", L("GÉT / HTTP/1.1".encode()), BadHttpMethod),
    ("method-tab", L(b"GET\t/ HTTP/1.1"), BadHttpMethod),
    ("leading-space", L(b" GET / HTTP/1.1"), BadHttpMethod),
    ("method-nul", L(b"GE\x00T / HTTP/1.1"), BadHttpMethod),
    ("http2", L(b"GET / HTTP/2.0"), BadHttpVersion),
    ("http12", L(b"GET / HTTP/1.2"), BadHttpVersion),
    ("http09", L(b"GET / HTTP/0.9"), BadHttpVersion),
    ("http3", L(b"GET / HTTP/3.0"), BadHttpVersion),
    ("http-1-10", L(b"GET / HTTP/1.10"), BadHttpVersion),
    ("http-lower", L(b"GET / http/1.1"), BadHttpVersion),
    ("ice", L(b"GET /music ICE/1.0"), BadHttpVersion),
    ("rtsp", L(b"PUT /music RTSP/1.0"), BadHttpVersion),
    ("ihttp", L(b"GET /music IHTTP/1.0"), BadHttpVersion),
    ("version-trailing-space", L(b"GET / HTTP/1.1 "), BadHttpVersion),
    ("version-missing", L(b"GET / "), BadHttpVersion),
    ("three-parts-extra", L(b"GET / HTTP/1.1 x"), BadHttpVersion),
    ("two-sp-before-target", L(b"GET  / HTTP/1.1"), InvalidURLError),
    ("empty-target", L(b"GET  HTTP/1.1"), InvalidURLError),
    ("target-space", L(b"GET /a b HTTP/1.1"), InvalidURLError),
    ("target-tab", L(b"GET /a\tb HTTP/1.1"), InvalidURLError),
    ("target-ctl", L(b"GET /a\x01b HTTP/1.1"), InvalidURLError),
    ("target-nul", L(b"GET /\x00 HTTP/1.1"), InvalidURLError),
    ("target-del", L(b"GET /\x7f HTTP/1.1"), InvalidURLError),
    ("target-obs-text", L(b"GET /\xff HTTP/1.1"), InvalidURLError),
    ("target-utf8", L("GET /é HTTP/1.1".encode()), InvalidURLError),
    ("target-bare-cr", L(b"GET /a\rb HTTP/1.1"), InvalidURLError),
    ("asterisk-get", L(b"GET * HTTP/1.1"), InvalidURLError),
    ("asterisk-m-search", L(b"M-SEARCH * HTTP/1.1"), InvalidURLError),
    ("authority-get", L(b"GET a:1 HTTP/1.1"), InvalidURLError),
    ("relative-target", L(b"GET a/b HTTP/1.1"), InvalidURLError),
    ("scheme-no-authority", L(b"GET http:/a HTTP/1.1"), InvalidURLError),
    ("scheme-empty-authority", L(b"GET http:///a HTTP/1.1"), InvalidURLError),
    ("scheme-query-authority", L(b"GET http://?a HTTP/1.1"), InvalidURLError),
    ("scheme-digit-first", L(b"GET 1http://a/ HTTP/1.1"), InvalidURLError),
    ("scheme-bad-char", L(b"GET ht_tp://a/ HTTP/1.1"), InvalidURLError),
    ("connect-origin", L(b"CONNECT /a HTTP/1.1"), InvalidURLError),
    ("connect-absolute", L(b"CONNECT http://a:1/ HTTP/1.1"), InvalidURLError),
    ("connect-no-port", L(b"CONNECT example.com HTTP/1.1"), InvalidURLError),
    ("connect-empty-port", L(b"CONNECT example.com: HTTP/1.1"), InvalidURLError),
    ("connect-long-port", L(b"CONNECT example.com:123456 HTTP/1.1"), InvalidURLError),
    ("connect-no-host", L(b"CONNECT :443 HTTP/1.1"), InvalidURLError),
    ("connect-userinfo", L(b"CONNECT u@h:443 HTTP/1.1"), InvalidURLError),
    ("connect-two-colons", L(b"CONNECT a:1:2 HTTP/1.1"), InvalidURLError),
    ("connect-ipv6-open", L(b"CONNECT [::1:443 HTTP/1.1"), InvalidURLError),
    ("connect-ipv6-empty", L(b"CONNECT []:443 HTTP/1.1"), InvalidURLError),
    ("connect-ipv6-junk", L(b"CONNECT [::1]x:443 HTTP/1.1"), InvalidURLError),
    ("connect-asterisk", L(b"CONNECT * HTTP/1.1"), InvalidURLError),
    ("request-line-bare-lf", b"GET / HTTP/1.1\nHost: a\r\n\r\n", BadHttpMessage),
    ("only-lf", b"GET / HTTP/1.1\nHost: a\n\n", BadHttpMessage),
    ("leading-bare-lf", b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", BadHttpMessage),
    ("request-line-bare-cr", b"GET / HTTP/1.1\rHost: a\r\n\r\n", BadHttpVersion),
    # fields
    ("obs-fold", F(b"Host: a", b"A: b", b" c"), InvalidHeader),
    ("obs-fold-tab", F(b"Host: a", b"A: b", b"\tc"), InvalidHeader),
    ("first-field-folded", F(b" Host: a"), InvalidHeader),
    ("value-nul", F(b"Host: a", b"A: b\x00c"), InvalidHeader),
    ("value-bare-cr", F(b"Host: a", b"Foo: 1\rBar: 2"), InvalidHeader),
    ("value-ctl", F(b"Host: a", b"A: b\x01c"), InvalidHeader),
    ("value-esc", F(b"Host: a", b"A: \x1b[31m"), InvalidHeader),
    ("value-del", F(b"Host: a", b"A: b\x7f"), InvalidHeader),
    ("value-bare-lf", GET + b"Host: a\r\nA: b\nc: d\r\n\r\n", BadHttpMessage),
    ("field-bare-lf-end", GET + b"Host: a\n\r\n", BadHttpMessage),
    ("blank-line-bare-lf", GET + b"Host: a\r\n\n", BadHttpMessage),
    ("blank-line-cr-cr", GET + b"Host: a\r\n\r\r\n", InvalidHeader),
    ("space-before-colon", F(b"Host : a"), InvalidHeader),
    ("tab-before-colon", F(b"Host\t: a"), InvalidHeader),
    ("empty-name", F(b"Host: a", b": b"), InvalidHeader),
    ("no-colon", F(b"Host: a", b"A b"), InvalidHeader),
    ("name-bad-char", F(b"Host: a", b"A(b): c"), InvalidHeader),
    ("name-slash", F(b"Host: a", b"A/B: c"), InvalidHeader),
    ("name-utf8", F(b"Host: a", "Ä: b".encode()), InvalidHeader),
    ("name-nul", F(b"Host: a", b"A\x00: b"), InvalidHeader),
    ("corrupted-connection", F(b"Host: a", b"Connectio\x00n: close"), InvalidHeader),
    # host
    ("no-host", F(b"Accept: */*"), BadHttpMessage),
    ("duplicate-host", F(b"Host: a", b"Host: b"), InvalidHeader),
    ("duplicate-host-same", F(b"Host: a", b"host: a"), InvalidHeader),
    ("duplicate-host-10", F(b"Host: a", b"HOST: a", line=b"GET / HTTP/1.0\r\n"), InvalidHeader),
    # repeated RFC 9110 singletons, as aiohttp's server refuses them (TE.TE among them)
    ("duplicate-te-gzip-chunked", P(b"0\r\n\r\n", b"Transfer-Encoding: chunked").replace(
        b"Transfer-Encoding: chunked\r\n", b"Transfer-Encoding: gzip\r\n", 1), InvalidHeader),
    # (the case differs: a fuzz finding, the pure twin's first version missed it)
    *[(f"duplicate-{name.lower().decode()}", F(b"Host: a", name.lower() + b": 1", name + b": 1"),
       InvalidHeader)
      for name in (b"Content-Location", b"Content-Range", b"Content-Type", b"ETag",
                   b"Max-Forwards", b"Server", b"User-Agent")],
    # framing
    ("cl-and-te", F(b"Host: a", b"Content-Length: 3", b"Transfer-Encoding: chunked"),
     TransferEncodingError),
    ("te-and-cl", F(b"Host: a", b"Transfer-Encoding: chunked", b"Content-Length: 3"),
     TransferEncodingError),
    ("cl-differ", F(b"Host: a", b"Content-Length: 3", b"Content-Length: 4"), ContentLengthError),
    ("cl-repeat", F(b"Host: a", b"Content-Length: 3", b"content-length: 3"), ContentLengthError),
    ("cl-plus", F(b"Host: a", b"Content-Length: +5"), ContentLengthError),
    ("cl-minus", F(b"Host: a", b"Content-Length: -1"), ContentLengthError),
    ("cl-inner-space", F(b"Host: a", b"Content-Length: 1 0"), ContentLengthError),
    ("cl-underscore", F(b"Host: a", b"Content-Length: 1_0"), ContentLengthError),
    ("cl-hex", F(b"Host: a", b"Content-Length: 0x10"), ContentLengthError),
    ("cl-empty", F(b"Host: a", b"Content-Length:"), ContentLengthError),
    ("cl-list", F(b"Host: a", b"Content-Length: 3, 3"), ContentLengthError),
    ("cl-overflow", F(b"Host: a", b"Content-Length: 1000000000000000000"), ContentLengthError),
    ("cl-huge", F(b"Host: a", b"Content-Length: 18446744073709551617"), ContentLengthError),
    ("cl-unicode-digit", F(b"Host: a", "Content-Length: ３".encode()), ContentLengthError),
    ("te-not-chunked", F(b"Host: a", b"Transfer-Encoding: gzip"), TransferEncodingError),
    ("te-chunked-not-last", F(b"Host: a", b"Transfer-Encoding: chunked, gzip"),
     TransferEncodingError),
    ("te-chunked-then-field", F(b"Host: a", b"Transfer-Encoding: chunked",
                                b"Transfer-Encoding: identity"), TransferEncodingError),
    ("te-empty", F(b"Host: a", b"Transfer-Encoding:"), TransferEncodingError),
    ("te-chunked-twice", F(b"Host: a", b"Transfer-Encoding: chunked, chunked"),
     TransferEncodingError),
    ("te-chunked-twice-fields", F(b"Host: a", b"Transfer-Encoding: chunked",
                                  b"Transfer-Encoding: chunked"), TransferEncodingError),
    ("te-chunkedchunked", F(b"Host: a", b"Transfer-Encoding: chunkedchunked"),
     TransferEncodingError),
    ("te-http10", F(b"Transfer-Encoding: chunked", line=b"POST / HTTP/1.0\r\n"),
     TransferEncodingError),
    # chunked body (the same rules as responses: the one chunked decoder)
    ("chunk-ext-empty", P(b"2;\r\nab\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-ext-unbalanced", P(b'5;a="abc";b="def; ghi\r\nhello\r\n0\r\n\r\n'),
     TransferEncodingError),
    ("chunk-no-semicolon", P(b"5 a=b\r\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    # strict as aiohttp's server (llhttp): no SP/HTAB after the size, none in extensions,
    # no obs-text outside quotes
    ("chunk-size-trailing-space", P(b"5 \r\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-size-tab-then-ext", P(b"5\t;a\r\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-last-trailing-space", P(b"5\r\nhello\r\n0 \r\n\r\n"), TransferEncodingError),
    ("chunk-ext-ws-around-eq", P(b"5;a = b\r\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-ext-ws-after-semicolon", P(b"5; a\r\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-ext-obs-text", P(b"5;a=\xff\r\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-size-bare-lf", P(b"5\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-ext-bare-lf", P(b"5;a=b\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-data-no-crlf", P(b"5\r\nhelloXX0\r\n\r\n"), TransferEncodingError),
    ("chunk-data-bare-lf", P(b"5\r\nhello\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-size-overflow", P(b"ffffffffffffffffff\r\n"), TransferEncodingError),
    ("chunk-size-2-63", P(b"8000000000000000\r\n"), TransferEncodingError),
    ("chunk-size-minus", P(b"-1\r\n"), TransferEncodingError),
    ("chunk-size-0x", P(b"0x5\r\nhello\r\n0\r\n\r\n"), TransferEncodingError),
    ("chunk-size-empty", P(b"\r\n"), TransferEncodingError),
    ("trailer-obs-fold", P(b"0\r\nA: 1\r\n folded\r\n\r\n"), InvalidHeader),
    ("trailer-no-colon", P(b"0\r\nExpires\r\n\r\n"), InvalidHeader),
    ("trailer-bare-lf", P(b"0\r\nA: b\n\r\n"), TransferEncodingError),
]


def _raises(mod, chunks, err, **kwargs):
    with pytest.raises(ParseError) as info:
        run_requests(mod, chunks, eof=True, **kwargs)
    assert type(info.value) is err, info.value
    assert info.value.status == 400 and info.value.message


IDS = [c[0] for c in BAD]
CASES = [c[1:] for c in BAD]


@pytest.mark.parametrize("data,err", CASES, ids=IDS)
def test_bad_whole(twin, data, err):
    _raises(twin, [data], err)


@pytest.mark.parametrize("data,err", CASES, ids=IDS)
def test_bad_bytewise(twin, data, err):
    _raises(twin, bytewise(data), err)


@pytest.mark.parametrize("data,err", CASES, ids=IDS)
def test_bad_every_split(twin, data, err):
    for cut in range(1, len(data)):
        _raises(twin, pieces(data, [cut]), err)


@pytest.mark.parametrize("data,err", CASES, ids=IDS)
def test_bad_after_a_good_request(twin, data, err):
    good = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok"
    _raises(twin, [good + data], err)
    _raises(twin, [good, data], err)


def test_error_carries_the_events_before_it(twin):
    good = b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
    with pytest.raises(InvalidHeader) as info:
        twin.RequestParser().feed(good + F(b"Host : a"))
    assert [type(e).__name__ for e in info.value.events] == ["RequestHead", "EndOfMessage"]


def test_every_error_is_a_400():
    # aiohttp 3.14's server answers every HttpProcessingError with 400 (web_protocol.py)
    for err in (BadHttpMessage, BadStatusLine, BadHttpMethod, BadHttpVersion, InvalidURLError,
                InvalidHeader, LineTooLong, TooManyHeaders, ContentLengthError,
                TransferEncodingError, IncompleteMessage):
        assert issubclass(err, ParseError) and err.status == 400 and err("x").status == 400
    assert issubclass(BadHttpMethod, BadStatusLine) and issubclass(BadHttpVersion, BadStatusLine)


# -- limits: at the limit parses, one byte over raises ------------------------------

def _request_line(n: int) -> bytes:
    return b"GET /" + b"a" * (n - 14) + b" HTTP/1.1"


def _field(n: int) -> bytes:
    return b"X: " + b"v" * (n - 3)


def _split(mode: str, data: bytes) -> list[bytes]:
    return [data] if mode == "whole" else bytewise(data)


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
@pytest.mark.parametrize("size", [40, 100])
def test_request_line_limit(twin, mode, size):
    data = _request_line(size) + b"\r\nHost: a\r\n\r\n"
    for limit in (size, size + 1):  # at and just over the line's length: parses
        run_requests(twin, _split(mode, data), max_line_size=limit)
    with pytest.raises(LineTooLong) as info:
        run_requests(twin, _split(mode, data), max_line_size=size - 1)
    assert type(info.value) is LineTooLong and info.value.status == 400


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
@pytest.mark.parametrize("size", [40, 100])
def test_field_limit(twin, mode, size):
    data = F(b"Host: a", _field(size))
    for limit in (size, size + 1):
        run_requests(twin, _split(mode, data), max_field_size=limit)
    with pytest.raises(LineTooLong) as info:
        run_requests(twin, _split(mode, data), max_field_size=size - 1)
    assert type(info.value) is LineTooLong


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_max_headers(twin, mode):
    data = F(b"Host: a", *[b"X-%d: v" % i for i in range(9)])
    for limit in (10, 11):
        events, _, _ = run_requests(twin, _split(mode, data), max_headers=limit)
        assert len(events[0][5]) == 10
    with pytest.raises(TooManyHeaders) as info:
        run_requests(twin, _split(mode, data), max_headers=9)
    assert info.value.status == 400


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_max_head_size(twin, mode):
    data = F(b"Host: a", b"B: 2222", b"Content-Length: 0")
    for limit in (len(data), len(data) + 1):
        assert run_requests(twin, _split(mode, data), max_head_size=limit)[0][-1] == ("end", ())
    with pytest.raises(LineTooLong) as info:
        run_requests(twin, _split(mode, data), max_head_size=len(data) - 1)
    assert type(info.value) is LineTooLong


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_default_limits(twin, mode):
    # aiohttp's defaults: 8190-byte request line and fields, 128 fields
    line = _request_line(8190) + b"\r\n"
    fields = [b"Host: a", _field(8190), *[b"X-%d: v" % i for i in range(126)]]
    run_requests(twin, _split(mode, F(*fields, line=line)))
    for data in (F(*fields, line=_request_line(8191) + b"\r\n"),
                 F(b"Host: a", _field(8191), line=line)):
        with pytest.raises(LineTooLong) as info:
            run_requests(twin, _split(mode, data))
        assert type(info.value) is LineTooLong
    with pytest.raises(TooManyHeaders):
        run_requests(twin, _split(mode, F(*fields, b"X-last: v", line=line)))


def test_leading_empty_lines_count_against_the_head(twin):
    # the only lines no other limit bounds: the head bound does
    data = b"\r\n" * 20 + F(b"Host: a")
    run_requests(twin, [data], max_head_size=len(data))
    for chunks in ([data], bytewise(data)):
        with pytest.raises(LineTooLong):
            run_requests(twin, chunks, max_head_size=len(data) - 1)
    parser = twin.RequestParser(max_head_size=100)
    parser.feed(b"\r\n" * 50)  # 100 bytes: still fine
    with pytest.raises(LineTooLong):
        parser.feed(b"\r")


def test_unfinished_lines_are_bounded(twin):
    # no LF ever comes: the error arrives as soon as the limit is passed
    parser = twin.RequestParser(max_line_size=50)
    parser.feed(b"GET /" + b"a" * 45)  # 50 bytes: still fine
    parser.feed(b"\r")  # a CR may be the start of the CRLF
    with pytest.raises(LineTooLong):
        parser.feed(b"x")
    parser = twin.RequestParser(max_field_size=20)
    parser.feed(GET + b"X: " + b"v" * 17)
    with pytest.raises(LineTooLong):
        parser.feed(b"v")


def test_chunked_lines_use_the_parser_limits(twin):
    body = b"1;" + b"e" * 48 + b"\r\nx\r\n0\r\n" + b"T: " + b"t" * 47 + b"\r\n\r\n"
    data = P(body)
    run_requests(twin, [data], max_line_size=50, max_field_size=50)
    with pytest.raises(LineTooLong):
        run_requests(twin, [data], max_line_size=49, max_field_size=50)
    with pytest.raises(LineTooLong):
        run_requests(twin, [data], max_line_size=50, max_field_size=49)
    trailers = P(b"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")  # two fields, three trailers
    run_requests(twin, [trailers], max_headers=3)
    with pytest.raises(TooManyHeaders):
        run_requests(twin, [trailers], max_headers=2)


# -- EOF ------------------------------------------------------------------------------

EOF_CASES = [
    ("line-partial", b"GET / HT", IncompleteMessage),
    ("head-partial", b"GET / HTTP/1.1\r\nHost: a\r\nAcc", IncompleteMessage),
    ("head-no-blank", b"GET / HTTP/1.1\r\nHost: a\r\n", IncompleteMessage),
    ("length-short", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabc",
     ContentLengthError),
    ("chunked-short", P(b"5\r\nab"), TransferEncodingError),
    ("chunked-no-last", P(b"1\r\na\r\n"), TransferEncodingError),
    ("chunked-in-trailers", P(b"0\r\nT: 1\r\n"), TransferEncodingError),
]


@pytest.mark.parametrize("data,err", [c[1:] for c in EOF_CASES], ids=[c[0] for c in EOF_CASES])
def test_truncated_at_eof(twin, data, err):
    for chunks in ([data], bytewise(data)):
        with pytest.raises(BadHttpMessage) as info:
            run_requests(twin, chunks, eof=True)
        assert type(info.value) is err
