"""Response parser: differential property tests over both twins.

Generated valid response streams and mutated copies (flip / insert / delete bytes), split
at random points: both twins give identical events, or both raise the same error type after
the same events (returned by earlier feeds, or attached to the error as ``exc.events``);
only ParseError subclasses ever escape; and where the input is cut does not matter.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyhttp._core import _http_parser_c, _http_parser_py
from cyhttp._core.errors import ParseError

from ._http_parser_util import normalise, pieces, run

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
names = st.one_of(
    st.sampled_from(["Content-Type", "Server", "Set-Cookie", "X-A", "Date", "ETag", "Vary",
                     "Upgrade", "Content-Encoding", "connection"]),
    st.text(TCHARS, min_size=1, max_size=12),
)
values = st.one_of(
    st.sampled_from(["", "x", "gzip", "BR", "keep-alive", "close", "Upgrade, keep-alive",
                     "websocket", "text/html; charset=utf-8", " padded\t"]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters="\x7f"),
            max_size=30),
)


@st.composite
def response(draw, method: str | None, last: bool) -> bytes:
    """One response that frames itself correctly for ``method`` (``last``: may end the stream)."""
    version = draw(st.sampled_from([b"1.1", b"1.1", b"1.0"]))
    status = draw(st.sampled_from([200, 200, 201, 204, 304, 404, 100, 103]
                                  + ([101] if last else [])))
    if method == "CONNECT" and 200 <= status < 300 and not last:
        status = 404  # a 2xx opens a tunnel: nothing after it is HTTP
    reason = draw(st.sampled_from([b"", b" ", b" OK", b" Not  Found ", " Ça".encode()]))
    fields = [(draw(names).encode(), draw(values).encode("utf-8"))
              for _ in range(draw(st.integers(0, 6)))]
    body = draw(st.binary(max_size=40))
    framing = draw(st.sampled_from(["length", "length", "chunked", "none"] + (["eof"] if last else [])))
    tail = b""
    if framing == "length":
        fields.append((b"Content-Length", b"%d" % len(body)))
        tail = body
    elif framing == "chunked":
        fields.append((b"Transfer-Encoding", draw(st.sampled_from([b"chunked", b"gzip, chunked"]))))
        sizes = draw(st.lists(st.integers(1, 9), max_size=4))
        tail = b"".join(b"%x\r\n%s\r\n" % (n, b"c" * n) for n in sizes) + b"0\r\n"
        if draw(st.booleans()):
            tail += b"Trailer-X: 1\r\n"
        tail += b"\r\n"
    elif framing == "eof":
        tail = body
    if status < 200 or status in (204, 304) or method == "HEAD" or (
            method == "CONNECT" and status < 300):
        tail = b""  # no body on the wire
    head = b"HTTP/" + version + b" %d" % status + reason + b"\r\n"
    head += b"".join(n + b": " + v + b"\r\n" for n, v in fields) + b"\r\n"
    return head + tail


methods = st.sampled_from([None, "GET", "HEAD", "CONNECT", "post"])


@st.composite
def method_and_stream(draw) -> tuple[str | None, bytes]:
    method = draw(methods)
    count = draw(st.integers(1, 3))
    return method, b"".join(draw(response(method, i == count - 1)) for i in range(count))


@st.composite
def stream(draw) -> bytes:
    return draw(method_and_stream())[1]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(method_and_stream())[1])
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "insert", "delete"]))
        at = draw(st.integers(0, len(data)))
        byte = draw(st.one_of(st.sampled_from(b"\r\n\x00 \t:,;\xff0-"), st.integers(0, 255)))
        if op == "insert":
            data.insert(at, byte)
        elif at < len(data):
            if op == "delete":
                del data[at]
            else:
                data[at] = byte
    return bytes(data)


options = st.fixed_dictionaries({}, optional={
    "lax": st.booleans(),
    "read_until_eof": st.booleans(),
    "max_line_size": st.integers(10, 60),
    "max_field_size": st.integers(5, 60),
    "max_headers": st.integers(0, 8),
    "max_head_size": st.integers(20, 300),
})


def outcome(mod, chunks: list[bytes], method: str | None, kwargs: dict[str, Any]) -> tuple:
    """("ok", events, upgraded, unparsed) or ("error", type, events before the error: those
    returned by earlier feeds plus the failing feed's ``exc.events``)."""
    try:
        return ("ok", *run(mod, chunks, method=method, eof=True, **kwargs))
    except ParseError as exc:
        return ("error", type(exc), normalise([*exc.delivered, *exc.events]))
    # anything else escapes and fails the test: the contract is ParseError only


def check(data: bytes, cuts: list[int], method: str | None, kwargs: dict[str, Any]) -> None:
    split = pieces(data, cuts)
    py = outcome(_http_parser_py, split, method, kwargs)
    c = outcome(_http_parser_c, split, method, kwargs)
    assert py == c
    assert outcome(_http_parser_c, [data], method, kwargs) == c
    assert outcome(_http_parser_py, [data], method, kwargs) == c


cut_lists = st.lists(st.integers(0, 2000), max_size=8)


@SETTINGS
@given(method_and_stream(), cut_lists)
def test_valid_streams(method_data, cuts):
    method, data = method_data
    result = outcome(_http_parser_py, [data], method, {})
    assert result[0] == "ok", result  # the generator makes valid streams only
    check(data, cuts, method, {})


@SETTINGS
@given(method_and_stream(), cut_lists, options)
def test_valid_streams_with_options(method_data, cuts, kwargs):
    method, data = method_data
    check(data, cuts, method, kwargs)


@SETTINGS
@given(mutated(), cut_lists, methods, options)
def test_mutated_streams(data, cuts, method, kwargs):
    check(data, cuts, method, kwargs)


@SETTINGS
@given(st.binary(max_size=200), cut_lists, st.booleans())
def test_random_bytes(data, cuts, lax):
    check(data, cuts, None, {"lax": lax})


@settings(max_examples=50, deadline=None)
@given(method_and_stream())
def test_byte_by_byte_equals_whole(method_data):
    method, data = method_data
    whole = outcome(_http_parser_py, [data], method, {})
    assert outcome(_http_parser_py, [data[i:i + 1] for i in range(len(data))], method, {}) == whole
    assert outcome(_http_parser_c, [data[i:i + 1] for i in range(len(data))], method, {}) == whole
