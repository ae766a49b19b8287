"""Response parser: valid responses → events, both twins, whole / byte by byte / every split."""

from __future__ import annotations

from array import array

import pytest

from cyhttp._core import _http_names
from cyhttp._core.errors import IncompleteMessage, InvalidHeader
from cyhttp._core.events import ChunkEnds, EndOfMessage
from tests.conftest import twin_fixture

from ._http_parser_util import bytewise, pieces, run

twin = twin_fixture("http_parser")

END = ("end", ())


def H(
    status: int = 200,
    fields: list[tuple[bytes, bytes]] | None = None,
    *,
    reason: str = "OK",
    version: tuple[int, int] = (1, 1),
    length: int | None = None,
    chunked: bool = False,
    keep_alive: bool = True,
    upgrade: bool = False,
    encoding: str | None = None,
) -> tuple:
    raw = tuple(fields or ())
    items = tuple(
        (n.decode("ascii"), v.decode("utf-8", "surrogateescape")) for n, v in raw
    )
    return ("head", version, status, reason, items, raw, length, chunked, keep_alive,
            upgrade, encoding)


CL3 = [(b"Content-Length", b"3")]
TE = [(b"Transfer-Encoding", b"chunked")]

# (id, bytes, method, kwargs, expected events, eof)
VALID = [
    ("content-length", b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", None, {},
     [H(200, CL3, length=3), b"abc", END], False),
    ("content-length-0", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", None, {},
     [H(200, [(b"Content-Length", b"0")], length=0), END], False),
    ("no-reason", b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", None, {},
     [H(200, [(b"Content-Length", b"0")], reason="", length=0), END], False),
    ("empty-reason", b"HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", None, {},
     [H(404, [(b"Content-Length", b"0")], reason="", length=0), END], False),
    ("reason-spaces", b"HTTP/1.1 500 Internal  Error \r\nContent-Length: 0\r\n\r\n", None, {},
     [H(500, [(b"Content-Length", b"0")], reason="Internal  Error", length=0), END], False),
    ("chunked-trailers",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nExpires: never\r\nX-Sum: 12\r\n\r\n", None, {},
     [H(200, TE, chunked=True), b"abcde", ("chunk_ends", (3, 5)),
      ("end", ((b"Expires", b"never"), (b"X-Sum", b"12")))], False),
    # a response may repeat singleton fields (aiohttp's client: real servers do it)
    ("repeated-singletons",
     b"HTTP/1.1 200 OK\r\nContent-Type: a\r\nServer: x\r\ncontent-type: b\r\nServer: y\r\n"
     b"Content-Length: 0\r\n\r\n", None, {},
     [H(200, [(b"Content-Type", b"a"), (b"Server", b"x"), (b"content-type", b"b"), (b"Server", b"y"),
              (b"Content-Length", b"0")], length=0), END], False),
    # SP/HTAB after a chunk size: aiohttp's client accepts it (llhttp's lenient mode)
    ("chunked-size-trailing-ws",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n2\t;e=1\r\nde\r\n0 \r\n\r\n",
     None, {}, [H(200, TE, chunked=True), b"abcde", ("chunk_ends", (3, 5)), END], False),
    ("chunked-list", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n0\r\n\r\n",
     None, {}, [H(200, [(b"Transfer-Encoding", b"gzip, Chunked")], chunked=True), END], False),
    ("until-eof", b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\nhello world", None, {},
     [H(200, [(b"Server", b"x")], keep_alive=False), b"hello world", END], True),
    ("until-eof-off", b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", None, {"read_until_eof": False},
     [H(200, [(b"Server", b"x")], keep_alive=False), END], False),
    ("te-gzip-until-eof", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz", None, {},
     [H(200, [(b"Transfer-Encoding", b"gzip")], keep_alive=False), b"zzz", END], True),
    ("head", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD", {},
     [H(200, [(b"Content-Length", b"10")], length=10), END], False),
    ("head-chunked", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "head", {},
     [H(200, TE, chunked=True), END], False),
    ("204", b"HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", None, {},
     [H(204, [(b"Server", b"x")], reason="No Content"), END], False),
    ("304", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", None, {},
     [H(304, [(b"Content-Length", b"99")], reason="Not Modified", length=99), END], False),
    ("100-then-200",
     b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", None, {},
     [H(100, reason="Continue"), H(200, CL3, length=3), b"abc", END], False),
    ("103-then-200",
     b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
     b"HTTP/1.1 102 Processing\r\n\r\n"
     b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", None, {},
     [H(200, CL3, length=3), b"abc", END], False),
    ("101-tail",
     b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
     b"\x81\x05hello", None, {},
     [H(101, [(b"Upgrade", b"websocket"), (b"Connection", b"Upgrade")],
        reason="Switching Protocols", upgrade=True, keep_alive=False), END], False),
    ("connect-tunnel", b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", "CONNECT",
     {}, [H(200, reason="Connection established", keep_alive=False), END], False),
    ("connect-refused", b"HTTP/1.1 407 Auth\r\nContent-Length: 2\r\n\r\nno", "CONNECT", {},
     [H(407, [(b"Content-Length", b"2")], reason="Auth", length=2), b"no", END], False),
    ("pipelined",
     b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
     b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope", None, {},
     [H(200, CL3, length=3), b"abc", END,
      H(404, [(b"Content-Length", b"4"), (b"Connection", b"close")], reason="Not Found",
        length=4, keep_alive=False), b"nope", END], False),
    ("http10", b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc", None, {},
     [H(200, CL3, version=(1, 0), length=3, keep_alive=False), b"abc", END], False),
    ("http10-keepalive",
     b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 3\r\n\r\nabc", None, {},
     [H(200, [(b"Connection", b"Keep-Alive"), *CL3], version=(1, 0), length=3), b"abc", END],
     False),
    ("set-cookies",
     b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nSET-COOKIE: c=3\r\n"
     b"Content-Length: 0\r\n\r\n", None, {},
     [H(200, [(b"Set-Cookie", b"a=1"), (b"set-cookie", b"b=2"), (b"SET-COOKIE", b"c=3"),
              (b"Content-Length", b"0")], length=0), END], False),
    ("mixed-case-names",
     b"HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: 1\r\nCONTENT-ENCODING: GZip\r\n\r\nz", None, {},
     [H(200, [(b"cOnTeNt-LeNgTh", b"1"), (b"CONTENT-ENCODING", b"GZip")], length=1,
        encoding="gzip"), b"z", END], False),
    ("utf8-values",
     "HTTP/1.1 200 Ça va\r\nX-Name: José 😀\r\nX-Bad: \xff\xfe\r\nContent-Length: 0\r\n\r\n"
     .encode("utf-8").replace(b"\xc3\xbf\xc3\xbe", b"\xff\xfe"), None, {},
     [H(200, [(b"X-Name", "José 😀".encode()), (b"X-Bad", b"\xff\xfe"),
              (b"Content-Length", b"0")], reason="Ça va", length=0), END], False),
    ("ows-and-empty-value",
     b"HTTP/1.1 200 OK\r\nA:  x y \t\r\nB:\r\nC: \t \r\nContent-Length: 0\r\n\r\n", None, {},
     [H(200, [(b"A", b"x y"), (b"B", b""), (b"C", b""), (b"Content-Length", b"0")],
        length=0), END], False),
    ("leading-blank-lines", b"\r\n\r\nHTTP/1.1 204 No\r\n\r\n", None, {},
     [H(204, reason="No"), END], False),
    ("encodings",
     b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 0\r\n\r\n"
     b"HTTP/1.1 200 OK\r\nContent-Encoding: compress\r\nContent-Length: 0\r\n\r\n", None, {},
     [H(200, [(b"Content-Encoding", b"br"), (b"Content-Length", b"0")], length=0,
        encoding="br"), END,
      H(200, [(b"Content-Encoding", b"compress"), (b"Content-Length", b"0")], length=0), END],
     False),
    ("connection-list",
     b"HTTP/1.1 200 OK\r\nConnection: Upgrade, close\r\nUpgrade: h2c\r\nContent-Length: 0\r\n\r\n",
     None, {}, [H(200, [(b"Connection", b"Upgrade, close"), (b"Upgrade", b"h2c"),
                        (b"Content-Length", b"0")], length=0, keep_alive=False, upgrade=True),
                END], False),
    ("lax-bare-lf", b"HTTP/1.1 200 OK\nContent-Length: 3\r\nA: \x01b\n\nabc", None,
     {"lax": True}, [H(200, [*CL3, (b"A", b"\x01b")], length=3), b"abc", END], False),
    ("max-digits", b"HTTP/1.1 200 OK\r\nContent-Length: 000000000000000001\r\n\r\nx", None,
     {}, [H(200, [(b"Content-Length", b"000000000000000001")], length=1), b"x", END], False),
]

TAILS = {"101-tail": b"\x81\x05hello", "connect-tunnel": b"\x16\x03\x01"}


def _check(mod, chunks, method, kwargs, expected, eof, case_id):
    events, upgraded, tail = run(mod, chunks, method=method, eof=eof, **kwargs)
    assert events == expected
    assert upgraded == (case_id in TAILS)
    assert tail == TAILS.get(case_id, b"")


@pytest.mark.parametrize("case_id,data,method,kwargs,expected,eof", VALID,
                         ids=[c[0] for c in VALID])
def test_valid_whole(twin, case_id, data, method, kwargs, expected, eof):
    _check(twin, [data], method, kwargs, expected, eof, case_id)


@pytest.mark.parametrize("case_id,data,method,kwargs,expected,eof", VALID,
                         ids=[c[0] for c in VALID])
def test_valid_bytewise(twin, case_id, data, method, kwargs, expected, eof):
    _check(twin, bytewise(data), method, kwargs, expected, eof, case_id)


@pytest.mark.parametrize("case_id,data,method,kwargs,expected,eof", VALID,
                         ids=[c[0] for c in VALID])
def test_valid_every_split(twin, case_id, data, method, kwargs, expected, eof):
    for cut in range(1, len(data)):
        _check(twin, pieces(data, [cut]), method, kwargs, expected, eof, case_id)


def test_method_persists(twin):
    parser = twin.ResponseParser()
    parser.set_method("HEAD")
    data = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    events = parser.feed(data + data)
    assert [type(e) for e in events][1::2] == [EndOfMessage, EndOfMessage]
    parser.set_method("GET")
    events = parser.feed(data + b"12345")
    assert events[1:] == [b"12345", EndOfMessage()]


def test_body_chunk_not_copied(twin):
    parser = twin.ResponseParser()
    assert len(parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")) == 1
    first = b"01234"
    second = b"56789"
    events = parser.feed(first)
    assert events[0] is first
    events = parser.feed(second)
    assert events[0] is second and events[1] == EndOfMessage()


def test_chunked_body_of_one_feed_is_one_piece(twin):
    # The parser forwards the chunked decoder's events: its payload per feed is one piece.
    parser = twin.ResponseParser()
    events = parser.feed(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"2\r\nab\r\n3\r\ncde\r\n1\r\nf")
    assert events[2:] == [b"abcdef"]  # after the ChunkEnds of the CRLFs it passed
    assert events[1] == ChunkEnds(array("q", [2, 5]).tobytes(), 0)
    assert parser.feed(b"\r\n1\r\ng\r\n1\r\nh\r\n0\r\n\r\n") == [
        ChunkEnds(array("q", [6, 7, 8]).tobytes(), 6), b"gh", EndOfMessage()]


def test_until_eof_chunks_not_copied(twin):
    parser = twin.ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\n\r\n")
    body = b"x" * 1000
    assert parser.feed(body)[0] is body
    assert parser.feed_eof() == [EndOfMessage()]


def test_upgraded_collects_later_feeds(twin):
    parser = twin.ResponseParser()
    events = parser.feed(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: upgrade\r\n\r\nab")
    assert events[0].status == 101 and events[0].upgrade
    assert parser.upgraded
    assert parser.feed(b"cd") == []
    assert parser.unparsed() == b"abcd"
    assert parser.feed_eof() == []


def test_idle_eof(twin):
    parser = twin.ResponseParser()
    assert parser.feed_eof() == []
    parser = twin.ResponseParser()
    parser.feed(b"HTTP/1.1 204 No\r\n\r\n")
    assert parser.feed_eof() == []
    parser = twin.ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx\r\n")
    assert parser.feed_eof() == []


def test_headers_proxy_is_read_only(twin):
    parser = twin.ResponseParser()
    head = parser.feed(b"HTTP/1.1 200 OK\r\nA: 1\r\nContent-Length: 0\r\n\r\n")[0]
    assert head.headers["a"] == "1"
    with pytest.raises(TypeError):
        head.headers["b"] = "2"  # type: ignore[index]


def test_large_head_one_byte_drip(twin):
    # ~60 KiB of fields, one byte per feed: must finish (the LF search never rescans).
    fields = b"".join(b"X-Field-%03d: %s\r\n" % (i, b"v" * 500) for i in range(120))
    data = b"HTTP/1.1 200 OK\r\n" + fields + b"Content-Length: 2\r\n\r\nok"
    assert len(data) > 60_000
    parser = twin.ResponseParser()
    events: list = []
    for i in range(len(data)):
        events.extend(parser.feed(data[i:i + 1]))
    assert len(events[0].raw_headers) == 121
    assert events[1:] == [b"o", b"k", EndOfMessage()]


def test_known_names_are_the_same_list():
    from cyhttp._core import _http_parser_c

    names = _http_parser_c.known_names()
    # the compiled twin builds its table from KNOWN_NAMES, re-sorted by length
    assert sorted(names) == sorted(_http_names.KNOWN_NAMES)
    assert [len(n) for n in names] == sorted(len(n) for n in names)


def test_chooser_exports():
    from cyhttp._core import http_parser

    assert http_parser.ResponseParserPy.__module__.endswith("_http_parser_py")
    assert http_parser.ResponseParserC.__module__.endswith("_http_parser_c")
    assert http_parser.ResponseParser in (http_parser.ResponseParserPy,
                                          http_parser.ResponseParserC)
    assert http_parser.ResponseHead in (http_parser.ResponseHeadPy, http_parser.ResponseHeadC)


def test_empty_feed_means_eof(twin):
    parser = twin.ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\n\r\nbody")
    assert parser.feed(b"") == [EndOfMessage()]
    parser = twin.ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\n")
    with pytest.raises(IncompleteMessage):
        parser.feed(b"")


def test_no_leak_over_many_responses(twin):
    # every path that allocates (split heads, chunked bodies, errors) run many times:
    # traced memory must not grow with the number of rounds
    import tracemalloc

    good = (b"HTTP/1.1 200 OK\r\nServer: x\r\nX-Long: " + b"v" * 300 + b"\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n")
    bad = b"HTTP/1.1 200 OK\r\nA: 1\r\nA : 2\r\n\r\n"

    def rounds(count: int) -> None:
        for _ in range(count):
            parser = twin.ResponseParser()
            for i in range(0, len(good), 50):
                parser.feed(good[i:i + 50])
            with pytest.raises(InvalidHeader):
                twin.ResponseParser().feed(bad)

    rounds(200)
    tracemalloc.start()
    try:
        rounds(100)
        before = tracemalloc.get_traced_memory()[0]
        rounds(1000)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 64 * 1024


def test_feed_wants_bytes(twin):
    parser = twin.ResponseParser()
    with pytest.raises(TypeError):
        parser.feed(None)  # type: ignore[arg-type]


def test_headers_same_through_multidict_c_api_and_python():
    """The compiled twin builds headers through multidict's C API when it can; the
    Python-constructor fallback (an older multidict) must give the very same heads."""
    from cyhttp._core import _http_parser_c, _http_parser_py

    data = (b"HTTP/1.1 200 OK\r\nContent-Type: a\r\nX-Odd: \xc3\xa9 x\r\nset-cookie: 1\r\n"
            b"Set-Cookie: 2\r\nCONTENT-LENGTH: 2\r\n\r\nok")
    expected = run(_http_parser_py, [data])
    found = _http_parser_c.multidict_capi()
    try:
        for use in (True, False):
            _http_parser_c.multidict_capi(use)
            got = run(_http_parser_c, [data])
            assert got == expected
            head = _http_parser_c.ResponseParser().feed(data)[0]
            assert head.headers.getall("SET-COOKIE") == ["1", "2"]
            assert type(head.headers).__name__ == "CIMultiDictProxy"
    finally:
        _http_parser_c.multidict_capi(found)
    assert found  # multidict >= 7 in the test environment: the C API is in use
