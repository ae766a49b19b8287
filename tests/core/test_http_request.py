"""Request parser: valid requests → events, both twins, whole / byte by byte / every split;
pipelining, chunked bodies with trailers, upgrades, CONNECT, the API around the body."""

from __future__ import annotations

from array import array

import pytest

from cyhttp._core.errors import InvalidHeader
from cyhttp._core.events import ChunkEnds, EndOfMessage
from tests.conftest import twin_fixture

from ._http_parser_util import bytewise, pieces, run_requests

twin = twin_fixture("http_parser")

END = ("end", ())
HOST = (b"Host", b"a")


def R(
    method: str = "GET",
    path: str = "/",
    fields: list[tuple[bytes, bytes]] | None = None,
    *,
    version: tuple[int, int] = (1, 1),
    length: int | None = None,
    chunked: bool = False,
    keep_alive: bool = True,
    upgrade: bool = False,
    encoding: str | None = None,
) -> tuple:
    """The normalised RequestHead (``_http_parser_util.head_fields``) expected."""
    raw = tuple([HOST] if fields is None else fields)
    items = tuple(
        (n.decode("ascii"), v.decode("utf-8", "surrogateescape")) for n, v in raw
    )
    return ("request", method, path, version, items, raw, length, chunked, keep_alive,
            upgrade, encoding)


def Q(line: bytes, *fields: bytes, body: bytes = b"") -> bytes:
    """A request: its line, these field lines, the blank line, the body."""
    return line + b"\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n" + body


CL3 = [HOST, (b"Content-Length", b"3")]
TE = [HOST, (b"Transfer-Encoding", b"chunked")]
WS = [HOST, (b"Connection", b"Upgrade"), (b"Upgrade", b"websocket")]

# (id, bytes, expected events, bytes kept after an upgrade or None)
VALID = [
    ("get", Q(b"GET / HTTP/1.1", b"Host: a"), [R(), END], None),
    ("get-query", Q(b"GET /a/b?c=d&e=%20f#frag HTTP/1.1", b"Host: a"),
     [R(path="/a/b?c=d&e=%20f#frag"), END], None),
    ("every-visible-byte", Q(b"GET /" + bytes(range(0x21, 0x7F)) + b" HTTP/1.1", b"Host: a"),
     [R(path="/" + bytes(range(0x21, 0x7F)).decode()), END], None),
    ("http10-no-host", Q(b"GET / HTTP/1.0"), [R(version=(1, 0), fields=[], keep_alive=False), END],
     None),
    ("http10-keep-alive", Q(b"GET / HTTP/1.0", b"Connection: Keep-Alive"),
     [R(version=(1, 0), fields=[(b"Connection", b"Keep-Alive")]), END], None),
    ("close", Q(b"GET / HTTP/1.1", b"Host: a", b"Connection: close"),
     [R(fields=[HOST, (b"Connection", b"close")], keep_alive=False), END], None),
    ("post-length", Q(b"POST /form HTTP/1.1", b"Host: a", b"Content-Length: 3", body=b"abc"),
     [R("POST", "/form", CL3, length=3), b"abc", END], None),
    ("post-length-0", Q(b"POST / HTTP/1.1", b"Host: a", b"Content-Length: 0"),
     [R("POST", fields=[HOST, (b"Content-Length", b"0")], length=0), END], None),
    ("post-no-length", Q(b"POST / HTTP/1.1", b"Host: a"), [R("POST"), END], None),
    ("length-max-digits", Q(b"PUT / HTTP/1.1", b"Host: a", b"Content-Length: 000000000000000001",
                            body=b"x"),
     [R("PUT", fields=[HOST, (b"Content-Length", b"000000000000000001")], length=1), b"x", END],
     None),
    ("chunked-trailers",
     Q(b"POST / HTTP/1.1", b"Host: a", b"Transfer-Encoding: chunked",
       body=b"3\r\nabc\r\n2;ext=1;q=\"a b\"\r\nde\r\n0\r\nExpires: never\r\nX-Sum: 12\r\n\r\n"),
     [R("POST", fields=TE, chunked=True), b"abcde", ("chunk_ends", (3, 5)),
      ("end", ((b"Expires", b"never"), (b"X-Sum", b"12")))], None),
    ("chunked-last-of-list",
     Q(b"POST / HTTP/1.1", b"Host: a", b"Transfer-Encoding: gzip, Chunked", body=b"0\r\n\r\n"),
     [R("POST", fields=[HOST, (b"Transfer-Encoding", b"gzip, Chunked")], chunked=True), END],
     None),
    ("leading-blank-lines", b"\r\n\r\n" + Q(b"GET / HTTP/1.1", b"Host: a"), [R(), END], None),
    ("absolute-form", Q(b"GET http://example.com:8080/x?y HTTP/1.1", b"Host: example.com:8080"),
     [R(path="http://example.com:8080/x?y", fields=[(b"Host", b"example.com:8080")]), END],
     None),
    ("absolute-form-scheme-chars", Q(b"GET svn+ssh.x-y://h HTTP/1.1", b"Host: h"),
     [R(path="svn+ssh.x-y://h", fields=[(b"Host", b"h")]), END], None),
    ("asterisk-form", Q(b"OPTIONS * HTTP/1.1", b"Host: a"), [R("OPTIONS", "*"), END], None),
    ("options-origin", Q(b"OPTIONS /x HTTP/1.1", b"Host: a"), [R("OPTIONS", "/x"), END], None),
    ("connect", Q(b"CONNECT example.com:443 HTTP/1.1", b"Host: example.com:443") + b"\x16\x03",
     [R("CONNECT", "example.com:443", [(b"Host", b"example.com:443")]), END], b"\x16\x03"),
    ("connect-ipv6", Q(b"CONNECT [::1]:8443 HTTP/1.1", b"Host: [::1]:8443"),
     [R("CONNECT", "[::1]:8443", [(b"Host", b"[::1]:8443")]), END], b""),
    ("connect-no-body", Q(b"CONNECT h:1 HTTP/1.0", b"Content-Length: 4") + b"data",
     [R("CONNECT", "h:1", [(b"Content-Length", b"4")], version=(1, 0), length=4,
        keep_alive=False), END], b"data"),
    ("extension-methods", Q(b"M-SEARCH /ssdp HTTP/1.1", b"Host: a") + Q(b"PURGE /x HTTP/1.1", b"Host: a")
     + Q(b"get / HTTP/1.1", b"Host: a"),
     [R("M-SEARCH", "/ssdp"), END, R("PURGE", "/x"), END, R("get"), END], None),
    ("fields",
     Q(b"GET / HTTP/1.1", b"Host: a", b"A:  x y \t", b"B:", b"C: \t ", b"a: 2",
       "X-Name: José 😀".encode(), b"X-Bad: \xff\xfe", b"!#$%&'*+-.^_`|~09az: t"),
     [R(fields=[HOST, (b"A", b"x y"), (b"B", b""), (b"C", b""), (b"a", b"2"),
                (b"X-Name", "José 😀".encode()), (b"X-Bad", b"\xff\xfe"),
                (b"!#$%&'*+-.^_`|~09az", b"t")]), END], None),
    ("empty-host", Q(b"GET / HTTP/1.1", b"Host:"), [R(fields=[(b"Host", b"")]), END], None),
    ("encoding", Q(b"POST / HTTP/1.1", b"Host: a", b"Content-Encoding: GZip",
                   b"Content-Length: 1", body=b"z"),
     [R("POST", fields=[HOST, (b"Content-Encoding", b"GZip"), (b"Content-Length", b"1")],
        length=1, encoding="gzip"), b"z", END], None),
    ("expect-continue", Q(b"PUT / HTTP/1.1", b"Host: a", b"Expect: 100-continue",
                          b"Content-Length: 1", body=b"z"),
     [R("PUT", fields=[HOST, (b"Expect", b"100-continue"), (b"Content-Length", b"1")],
        length=1), b"z", END], None),
    ("websocket", Q(b"GET /ws HTTP/1.1", b"Host: a", b"Connection: Upgrade",
                    b"Upgrade: websocket") + b"\x81\x85",
     [R(path="/ws", fields=WS, upgrade=True), END], b"\x81\x85"),
    ("upgrade-post-body", Q(b"POST /demo HTTP/1.1", b"Host: a", b"Connection: keep-alive, Upgrade",
                            b"Upgrade: h2c", b"Content-Length: 4", body=b"bodyPRI * HTTP/2.0"),
     [R("POST", "/demo", [HOST, (b"Connection", b"keep-alive, Upgrade"), (b"Upgrade", b"h2c"),
                          (b"Content-Length", b"4")], length=4, upgrade=True), b"body", END],
     b"PRI * HTTP/2.0"),
    ("upgrade-needs-both", Q(b"GET / HTTP/1.1", b"Host: a", b"Upgrade: websocket")
     + Q(b"GET / HTTP/1.1", b"Host: a", b"Connection: upgrade", b"Upgrade:"),
     [R(fields=[HOST, (b"Upgrade", b"websocket")]), END,
      R(fields=[HOST, (b"Connection", b"upgrade"), (b"Upgrade", b"")]), END], None),
]

PIPELINE = (
    Q(b"GET /1 HTTP/1.1", b"Host: a")
    + Q(b"POST /2 HTTP/1.1", b"Host: a", b"Content-Length: 3", body=b"abc")
    + Q(b"POST /3 HTTP/1.1", b"Host: a", b"Transfer-Encoding: chunked",
        body=b"2\r\nhi\r\n0\r\nT: 1\r\n\r\n")
    + b"\r\n"  # an empty line between requests is skipped
    + Q(b"GET /4 HTTP/1.0")
)
PIPELINE_EVENTS = [
    R(path="/1"), END,
    R("POST", "/2", CL3, length=3), b"abc", END,
    R("POST", "/3", TE, chunked=True), b"hi", ("chunk_ends", (2,)), ("end", ((b"T", b"1"),)),
    R(path="/4", fields=[], version=(1, 0), keep_alive=False), END,
]
VALID.append(("pipelined", PIPELINE, PIPELINE_EVENTS, None))


def _check(mod, chunks, expected, tail):
    events, upgraded, kept = run_requests(mod, chunks, eof=True)
    assert events == expected
    assert upgraded == (tail is not None)
    assert kept == (tail or b"")


@pytest.mark.parametrize("data,expected,tail", [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_whole(twin, data, expected, tail):
    _check(twin, [data], expected, tail)


@pytest.mark.parametrize("data,expected,tail", [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_bytewise(twin, data, expected, tail):
    _check(twin, bytewise(data), expected, tail)


@pytest.mark.parametrize("data,expected,tail", [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_every_split(twin, data, expected, tail):
    for cut in range(1, len(data)):
        _check(twin, pieces(data, [cut]), expected, tail)


def test_pipelined_every_two_splits(twin):
    for a in range(1, len(PIPELINE), 7):
        for b in range(a + 1, len(PIPELINE), 5):
            _check(twin, pieces(PIPELINE, [a, b]), PIPELINE_EVENTS, None)


def test_head_fields(twin):
    head = twin.RequestParser().feed(Q(b"GET /x?y HTTP/1.1", b"Host: h", b"Cookie: c=1",
                                       b"cookie: d=2"))[0]
    assert (head.method, head.path, head.version) == ("GET", "/x?y", (1, 1))
    assert head.headers["HOST"] == "h" and head.headers.getall("Cookie") == ["c=1", "d=2"]
    assert head.raw_headers == ((b"Host", b"h"), (b"Cookie", b"c=1"), (b"cookie", b"d=2"))
    assert type(head.headers).__name__ == "CIMultiDictProxy"
    assert repr(head) == ("<RequestHead GET '/x?y' HTTP/1.1 headers=3 length=None "
                          "chunked=False keep_alive=True>")
    with pytest.raises(TypeError):
        head.headers["b"] = "2"  # type: ignore[index]


def test_resume_after_a_declined_upgrade(twin):
    parser = twin.RequestParser()
    events = parser.feed(Q(b"GET /ws HTTP/1.1", b"Host: a", b"Connection: upgrade",
                           b"Upgrade: websocket") + b"GET /next HTTP/1.1\r\nHo")
    assert events[0].upgrade and events[1] == EndOfMessage() and parser.upgraded
    assert parser.feed(b"st: a\r\n\r\n") == []  # kept, not parsed, until the server decides
    assert parser.unparsed() == b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
    events = parser.resume()
    assert not parser.upgraded and parser.unparsed() == b""
    assert events[0].path == "/next" and events[1] == EndOfMessage()
    assert parser.resume() == []  # not upgraded: nothing to do
    assert parser.feed(Q(b"GET /last HTTP/1.1", b"Host: a"))[0].path == "/last"


def test_resume_with_nothing_kept(twin):
    parser = twin.RequestParser()
    parser.feed(Q(b"CONNECT h:1 HTTP/1.1", b"Host: h"))
    assert parser.upgraded and parser.resume() == [] and not parser.upgraded
    assert parser.feed(Q(b"GET / HTTP/1.1", b"Host: h"))[0].method == "GET"


def test_nothing_is_read_after_the_last_request(twin):
    # RFC 9112 §9.6: after a request without keep-alive, no further request is processed
    for last in (Q(b"GET / HTTP/1.1", b"Host: a", b"Connection: close"), Q(b"GET / HTTP/1.0"),
                 Q(b"POST / HTTP/1.1", b"Host: a", b"Connection: close", b"Content-Length: 1",
                   body=b"x")):
        data = last + Q(b"GET /next HTTP/1.1", b"Host: a")
        for chunks in ([data], bytewise(data)):
            events, upgraded, kept = run_requests(twin, chunks + [b"garbage \x00"], eof=True)
            assert [e[0] if isinstance(e, tuple) else "body" for e in events][-1] == "end"
            assert not any(isinstance(e, tuple) and e[0] == "request" and e[2] == "/next"
                           for e in events)
            assert not upgraded and kept == b""


def test_resume_after_a_declined_upgrade_of_the_last_request(twin):
    parser = twin.RequestParser()
    parser.feed(Q(b"GET / HTTP/1.1", b"Host: a", b"Connection: upgrade, close",
                  b"Upgrade: websocket") + Q(b"GET /next HTTP/1.1", b"Host: a"))
    assert parser.upgraded and parser.resume() == [] and parser.feed(b"more") == []


def test_upgraded_collects_later_feeds(twin):
    parser = twin.RequestParser()
    parser.feed(Q(b"CONNECT h:1 HTTP/1.1", b"Host: h") + b"ab")
    assert parser.feed(b"cd") == [] and parser.unparsed() == b"abcd"
    assert parser.feed_eof() == []


def test_body_chunks_not_copied_and_skip_body(twin):
    parser = twin.RequestParser()
    assert len(parser.feed(Q(b"POST / HTTP/1.1", b"Host: a", b"Content-Length: 10"))) == 1
    assert parser.body_remaining() == 10
    first = b"01234"
    assert parser.feed(first)[0] is first
    assert parser.body_remaining() == 5
    assert parser.skip_body(2) == []
    with pytest.raises(ValueError):
        parser.skip_body(4)
    assert parser.skip_body(3) == [EndOfMessage()]
    assert parser.body_remaining() == 0
    with pytest.raises(ValueError):
        parser.skip_body(1)
    assert parser.feed(Q(b"GET / HTTP/1.1", b"Host: a"))[0].method == "GET"


def test_skip_body_ends_an_upgrade_request(twin):
    parser = twin.RequestParser()
    parser.feed(Q(b"POST / HTTP/1.1", b"Host: a", b"Connection: upgrade", b"Upgrade: x",
                  b"Content-Length: 2"))
    assert parser.skip_body(2) == [EndOfMessage()] and parser.upgraded


def test_chunked_events(twin):
    parser = twin.RequestParser()
    events = parser.feed(Q(b"POST / HTTP/1.1", b"Host: a", b"Transfer-Encoding: chunked")
                         + b"2\r\nab\r\n3\r\ncde\r\n1\r\nf")
    assert events[1] == ChunkEnds(array("q", [2, 5]).tobytes(), 0) and events[2:] == [b"abcdef"]
    assert parser.feed(b"\r\n0\r\n\r\n") == [ChunkEnds(array("q", [6]).tobytes(), 6),
                                             EndOfMessage()]


def test_idle_eof_and_empty_feed(twin):
    parser = twin.RequestParser()
    assert parser.feed_eof() == [] and parser.feed(b"") == []
    parser.feed(Q(b"GET / HTTP/1.1", b"Host: a"))
    assert parser.feed(b"") == []


def test_large_head_one_byte_drip(twin):
    # ~60 KiB of fields, one byte per feed: must finish (the LF search never rescans).
    fields = [b"X-Field-%03d: %s" % (i, b"v" * 500) for i in range(120)]
    data = Q(b"POST / HTTP/1.1", b"Host: a", *fields, b"Content-Length: 2", body=b"ok")
    parser = twin.RequestParser()
    events: list = []
    for i in range(len(data)):
        events.extend(parser.feed(data[i:i + 1]))
    assert len(events[0].raw_headers) == 122
    assert events[1:] == [b"o", b"k", EndOfMessage()]


def test_chooser_exports():
    from cyhttp._core import http_parser

    assert http_parser.RequestParserPy.__module__.endswith("_http_request_py")
    assert http_parser.RequestParserC.__module__.endswith("_http_parser_c")
    assert http_parser.RequestParser in (http_parser.RequestParserPy, http_parser.RequestParserC)
    assert http_parser.RequestHead in (http_parser.RequestHeadPy, http_parser.RequestHeadC)


def test_no_leak_over_many_requests(twin):
    import tracemalloc

    good = Q(b"POST / HTTP/1.1", b"Host: a", b"X-Long: " + b"v" * 300, b"Transfer-Encoding: chunked",
             body=b"3\r\nabc\r\n0\r\nT: 1\r\n\r\n")
    bad = Q(b"GET / HTTP/1.1", b"Host: a", b"A : 2")

    def rounds(count: int) -> None:
        for _ in range(count):
            parser = twin.RequestParser()
            for i in range(0, len(good), 50):
                parser.feed(good[i:i + 50])
            with pytest.raises(InvalidHeader):
                twin.RequestParser().feed(bad)

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
    with pytest.raises(TypeError):
        twin.RequestParser().feed(None)  # type: ignore[arg-type]
