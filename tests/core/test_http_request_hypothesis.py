"""Request parser: differential property tests over both twins.

Generated valid request streams (every target form, both versions, Content-Length,
chunked bodies with extensions and trailers, upgrades and CONNECT last) and mutated
copies (flip / insert / delete bytes), split at random points: both twins give identical
events, or both raise the same error type after the same events (returned by earlier
feeds, or attached to the error as ``exc.events``); only ParseError subclasses ever
escape, each with status 400; and where the input is cut does not matter.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyhttp._core import _http_parser_c, _http_parser_py
from cyhttp._core.errors import ParseError

from ._http_parser_util import normalise, pieces, run_requests

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
VISIBLE = "".join(chr(c) for c in range(0x21, 0x7F))
HOSTCHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=%"
FRAMING = {"content-length", "transfer-encoding", "host"}
SINGLETONS = {b"content-location", b"content-range", b"content-type", b"etag", b"max-forwards",
              b"server", b"transfer-encoding", b"user-agent"}

names = st.one_of(
    st.sampled_from(["User-Agent", "Accept", "Cookie", "X-A", "sec-ch-ua", "Upgrade",
                     "Content-Encoding", "connection", "Expect", "Referer"]),
    st.text(TCHARS, min_size=1, max_size=12).filter(lambda n: n.lower() not in FRAMING),
)
values = st.one_of(
    st.sampled_from(["", "x", "gzip", "BR", "keep-alive", "close", "upgrade, keep-alive",
                     "websocket", "text/html; q=0.9", " padded\t", "100-continue"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters="\x7f"),
            max_size=30),
)
host = st.text(HOSTCHARS, min_size=1, max_size=12)
origin = st.text(VISIBLE, max_size=30).map(lambda t: "/" + t)
absolute = st.tuples(st.sampled_from(["http", "https", "ws", "svn+ssh"]), host, origin).map(
    lambda t: f"{t[0]}://{t[1]}{t[2]}")
authority = st.tuples(st.one_of(host, st.just("[::1]")), st.integers(0, 65535)).map(
    lambda t: f"{t[0]}:{t[1]}")
ext_value = st.one_of(st.text(TCHARS, min_size=1, max_size=6),
                      st.text("ab ;=\\\"\t", max_size=6).map(
                          lambda v: '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'))
extensions = st.lists(st.tuples(st.text(TCHARS, min_size=1, max_size=5),
                                st.one_of(st.none(), ext_value)), max_size=2).map(
    lambda exts: "".join(";" + n + ("" if v is None else "=" + v) for n, v in exts).encode())


@st.composite
def request(draw, last: bool) -> bytes:
    """One request that frames itself correctly (``last``: may switch protocols)."""
    method = draw(st.sampled_from(["GET", "GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS",
                                   "PATCH", "PURGE", "get"] + (["CONNECT"] if last else [])))
    if method == "CONNECT":
        target = draw(authority)
    elif method == "OPTIONS" and draw(st.booleans()):
        target = "*"
    else:
        target = draw(st.one_of(origin, origin, absolute))
    version = draw(st.sampled_from([b"1.1", b"1.1", b"1.0"]))
    fields = [(draw(names).encode(), draw(values).encode("utf-8"))
              for _ in range(draw(st.integers(0, 6)))]
    seen: set[bytes] = set()  # a request may carry each RFC 9110 singleton field once
    fields = [(n, v) for n, v in fields
              if n.lower() not in SINGLETONS or not (n.lower() in seen or seen.add(n.lower()))]
    if not last:  # an upgrade would keep the rest: only the last may ask for one
        fields = [(n, v) for n, v in fields if n.lower() not in (b"connection", b"upgrade")]
    if version == b"1.1" or draw(st.booleans()):
        fields.insert(draw(st.integers(0, len(fields))), (b"Host", draw(host).encode()))
    if last and draw(st.integers(0, 4)) == 0:
        fields += [(b"Connection", b"Upgrade"), (b"Upgrade", b"websocket")]
    body = draw(st.binary(max_size=40))
    framing = draw(st.sampled_from(["length", "length", "chunked", "none"]))
    tail = b""
    if framing == "length":
        fields.append((b"Content-Length", b"%d" % len(body)))
        tail = body
    elif framing == "chunked" and version == b"1.1":
        fields.append((b"Transfer-Encoding", draw(st.sampled_from([b"chunked", b"gzip, chunked"]))))
        sizes = draw(st.lists(st.integers(1, 9), max_size=4))
        tail = b"".join(b"%x%s\r\n%s\r\n" % (n, draw(extensions), b"c" * n) for n in sizes)
        tail += b"0\r\n" + (b"Trailer-X: 1\r\n" if draw(st.booleans()) else b"") + b"\r\n"
    if method == "CONNECT":
        tail = draw(st.binary(max_size=10))  # the tunnel's bytes, not a body
    head = method.encode() + b" " + target.encode() + b" HTTP/" + version + b"\r\n"
    head += b"".join(n + b": " + v + b"\r\n" for n, v in fields) + b"\r\n"
    leading = b"\r\n" if draw(st.integers(0, 5)) == 0 else b""
    return leading + head + tail


@st.composite
def stream(draw) -> bytes:
    count = draw(st.integers(1, 3))
    return b"".join(draw(request(i == count - 1)) for i in range(count))


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(stream()))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        at = draw(st.integers(0, len(data)))
        byte = draw(st.one_of(st.sampled_from(b"\r\n\x00 \t:,;\"\\*/[]@\x7f\xff0-"),
                              st.integers(0, 255)))
        if op == "insert":
            data.insert(at, byte)
        elif at < len(data):
            if op == "delete":
                del data[at]
            else:
                data[at] = byte
    return bytes(data)


options = st.fixed_dictionaries({}, optional={
    "max_line_size": st.integers(10, 80),
    "max_field_size": st.integers(5, 60),
    "max_headers": st.integers(0, 8),
    "max_head_size": st.integers(20, 400),
})


def outcome(mod, chunks: list[bytes], kwargs: dict[str, Any]) -> tuple:
    """("ok", events, upgraded, unparsed) or ("error", type, events before the error)."""
    try:
        return ("ok", *run_requests(mod, chunks, eof=True, **kwargs))
    except ParseError as exc:
        assert exc.status == 400
        # Chunk boundaries included: a failing feed reports the chunks it passed in
        # ``exc.events`` too, so they do not depend on the split either.
        return ("error", type(exc), normalise([*exc.delivered, *exc.events]))
    # anything else escapes and fails the test: the contract is ParseError only


def check(data: bytes, cuts: list[int], kwargs: dict[str, Any]) -> None:
    split = pieces(data, cuts)
    py = outcome(_http_parser_py, split, kwargs)
    c = outcome(_http_parser_c, split, kwargs)
    assert py == c
    assert outcome(_http_parser_c, [data], kwargs) == c
    assert outcome(_http_parser_py, [data], kwargs) == c


cut_lists = st.lists(st.integers(0, 2000), max_size=8)


@SETTINGS
@given(stream(), cut_lists)
def test_valid_streams(data, cuts):
    result = outcome(_http_parser_py, [data], {})
    assert result[0] == "ok", result  # the generator makes valid streams only
    check(data, cuts, {})


@SETTINGS
@given(stream(), cut_lists, options)
def test_valid_streams_with_options(data, cuts, kwargs):
    check(data, cuts, kwargs)


@SETTINGS
@given(mutated(), cut_lists, options)
def test_mutated_streams(data, cuts, kwargs):
    check(data, cuts, kwargs)


@SETTINGS
@given(st.binary(max_size=200), cut_lists)
def test_random_bytes(data, cuts):
    check(data, cuts, {})


@SETTINGS
@given(st.text(VISIBLE + " \t\r\n", max_size=60).map(str.encode), cut_lists)
def test_random_request_lines(line, cuts):
    check(line + b"\r\nHost: a\r\n\r\n", cuts, {})


@settings(max_examples=50, deadline=None)
@given(st.one_of(stream(), mutated()))
def test_byte_by_byte_equals_whole(data):
    whole = outcome(_http_parser_py, [data], {})
    assert outcome(_http_parser_py, [data[i:i + 1] for i in range(len(data))], {}) == whole
    assert outcome(_http_parser_c, [data[i:i + 1] for i in range(len(data))], {}) == whole
