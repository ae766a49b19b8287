"""Head writer: exact bytes, every container of fields, every refusal (type and order),
round trips through the parsers; both twins."""

from __future__ import annotations

from collections import namedtuple

import pytest
from multidict import CIMultiDict, CIMultiDictProxy, istr

from cyhttp._core import _http_parser_py
from cyhttp._core.errors import HeaderInjectionError, ParseError
from tests.conftest import twin_fixture

twin = twin_fixture("head_writer")

HttpVersion = namedtuple("HttpVersion", ["major", "minor"])  # as aiohttp's
FIELDS = [("Content-Type", "text/plain"), ("Content-Length", "3")]
OK_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n"


def test_response_head(twin):
    assert twin.write_response_head((1, 1), 200, "OK", FIELDS) == OK_HEAD
    assert twin.write_response_head(HttpVersion(1, 0), 404, "Not Found") == (
        b"HTTP/1.0 404 Not Found\r\n\r\n")
    assert twin.write_response_head("1.1", 999, "x", []) == b"HTTP/1.1 999 x\r\n\r\n"
    # the SP before an empty reason stays (status-line = version SP code SP [reason])
    assert twin.write_response_head((1, 1), 100, "") == b"HTTP/1.1 100 \r\n\r\n"


@pytest.mark.parametrize("make", [
    list, tuple, iter, lambda f: (p for p in f), dict, CIMultiDict,
    lambda f: CIMultiDictProxy(CIMultiDict(f)), lambda f: [list(p) for p in f],
    lambda f: [(istr(n), v) for n, v in f],
], ids=["list", "tuple", "iterator", "generator", "dict", "cimultidict", "proxy",
        "lists", "istr-names"])
def test_field_containers(twin, make):
    assert twin.write_response_head((1, 1), 200, "OK", make(FIELDS)) == OK_HEAD


def test_repeated_names_keep_their_order(twin):
    md = CIMultiDict([("Set-Cookie", "a=1"), ("X", "y"), ("set-cookie", "b=2")])
    assert twin.write_response_head((1, 1), 200, "OK", md) == (
        b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nX: y\r\nset-cookie: b=2\r\n\r\n")


def test_many_fields(twin):
    # past the compiled twin's stack array of fields
    fields = [(f"X-{i}", "v" * i) for i in range(300)]
    expected = b"HTTP/1.1 200 OK\r\n" + b"".join(
        f"X-{i}: {'v' * i}\r\n".encode() for i in range(300)) + b"\r\n"
    assert twin.write_response_head((1, 1), 200, "OK", fields) == expected


def test_text_is_utf8_with_surrogateescape(twin):
    head = twin.write_response_head((1, 1), 200, "Ça va", [("X", "José 😀"), ("Y", "\udcff\udc80")])
    assert head == "HTTP/1.1 200 Ça va\r\nX: José 😀\r\nY: ".encode() + b"\xff\x80\r\n\r\n"


def test_values_may_hold_other_controls_and_spaces(twin):
    # only CR, LF and NUL can break the framing; the rest is the caller's business
    head = twin.write_response_head((1, 1), 200, "a\tb", [("X", " \x01\x7f\t ")])
    assert head == b"HTTP/1.1 200 a\tb\r\nX:  \x01\x7f\t \r\n\r\n"


def test_int_subclasses_are_written_as_numbers(twin):
    # Fuzz finding: the pure twin wrote (True, 1) as "HTTP/True.1", the compiled one as 1.1.
    import enum

    class Minor(enum.IntEnum):
        ONE = 1

    assert twin.write_response_head((True, 1), 200, "x") == b"HTTP/1.1 200 x\r\n\r\n"
    assert twin.write_response_head((1, Minor.ONE), 200, "") == b"HTTP/1.1 200 \r\n\r\n"
    assert twin.write_request_head("GET", "/", (True, False)) == b"GET / HTTP/1.0\r\n\r\n"
    from http import HTTPStatus
    assert twin.write_response_head("1.1", HTTPStatus.NOT_FOUND, "NF").startswith(b"HTTP/1.1 404 NF")


def test_request_head(twin):
    assert twin.write_request_head("GET", "/a?b=c", (1, 1), [("Host", "h")]) == (
        b"GET /a?b=c HTTP/1.1\r\nHost: h\r\n\r\n")
    assert twin.write_request_head("CONNECT", "h:443", "1.0") == b"CONNECT h:443 HTTP/1.0\r\n\r\n"
    assert twin.write_request_head("OPTIONS", "*", (1, 1), {"Host": "h"}) == (
        b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")


BAD_RESPONSE = [
    # (id, args, error)
    ("reason-cr", ((1, 1), 200, "O\rK", []), HeaderInjectionError),
    ("reason-lf", ((1, 1), 200, "OK\n", []), HeaderInjectionError),
    ("reason-nul", ((1, 1), 200, "\x00", []), HeaderInjectionError),
    ("reason-injection", ((1, 1), 200, "OK\r\nSet-Cookie: a=b", []), HeaderInjectionError),
    ("value-cr", ((1, 1), 200, "OK", [("X", "a\rb")]), HeaderInjectionError),
    ("value-lf", ((1, 1), 200, "OK", [("X", "a\n")]), HeaderInjectionError),
    ("value-nul", ((1, 1), 200, "OK", [("X", "\x00")]), HeaderInjectionError),
    ("value-crlf-injection", ((1, 1), 200, "OK", [("Location", "/\r\nSet-Cookie: a=b")]),
     HeaderInjectionError),
    ("value-non-ascii-lf", ((1, 1), 200, "OK", [("X", "é\n")]), HeaderInjectionError),
    ("later-value-cr", ((1, 1), 200, "OK", [("A", "1"), ("B", "2"), ("C", "\r")]),
     HeaderInjectionError),
    ("name-space", ((1, 1), 200, "OK", [("X Y", "1")]), HeaderInjectionError),
    ("name-colon", ((1, 1), 200, "OK", [("X:", "1")]), HeaderInjectionError),
    ("name-colon-space", ((1, 1), 200, "OK", [("A: b", "1")]), HeaderInjectionError),
    ("name-crlf", ((1, 1), 200, "OK", [("X\r\nY", "1")]), HeaderInjectionError),
    ("name-empty", ((1, 1), 200, "OK", [("", "1")]), HeaderInjectionError),
    ("name-non-ascii", ((1, 1), 200, "OK", [("Ä", "1")]), HeaderInjectionError),
    ("name-nul", ((1, 1), 200, "OK", [("X\x00", "1")]), HeaderInjectionError),
    ("name-bytes", ((1, 1), 200, "OK", [(b"X", "1")]), TypeError),
    ("name-int", ((1, 1), 200, "OK", [(1, "1")]), TypeError),
    ("name-none", ((1, 1), 200, "OK", [(None, "1")]), TypeError),
    ("value-int", ((1, 1), 200, "OK", [("Content-Length", 3)]), TypeError),
    ("value-bytes", ((1, 1), 200, "OK", [("X", b"1")]), TypeError),
    ("value-none", ((1, 1), 200, "OK", [("X", None)]), TypeError),
    ("value-lone-surrogate", ((1, 1), 200, "OK", [("X", "\ud800")]), UnicodeEncodeError),
    ("reason-lone-surrogate", ((1, 1), 200, "\udfff", []), UnicodeEncodeError),
    ("item-three", ((1, 1), 200, "OK", [("X", "1", "2")]), ValueError),
    ("item-one", ((1, 1), 200, "OK", [("X",)]), ValueError),
    ("item-int", ((1, 1), 200, "OK", [1]), TypeError),
    ("headers-int", ((1, 1), 200, "OK", 5), TypeError),
    ("reason-none", ((1, 1), 200, None, []), TypeError),
    ("reason-bytes", ((1, 1), 200, b"OK", []), TypeError),
    ("status-99", ((1, 1), 99, "OK", []), ValueError),
    ("status-1000", ((1, 1), 1000, "OK", []), ValueError),
    ("status-negative", ((1, 1), -200, "OK", []), ValueError),
    ("status-huge", ((1, 1), 2 ** 70, "OK", []), ValueError),
    ("status-str", ((1, 1), "200", "OK", []), TypeError),
    ("status-float", ((1, 1), 200.0, "OK", []), TypeError),
    ("version-short", ((1,), 200, "OK", []), ValueError),
    ("version-long", ((1, 1, 0), 200, "OK", []), ValueError),
    ("version-10", ((1, 10), 200, "OK", []), ValueError),
    ("version-negative", ((-1, 1), 200, "OK", []), ValueError),
    ("version-str-parts", (("1", "1"), 200, "OK", []), ValueError),
    ("version-str-long", ("1.1.1", 200, "OK", []), ValueError),
    ("version-str-http", ("HTTP/1.1", 200, "OK", []), ValueError),
    ("version-str-comma", ("1,1", 200, "OK", []), ValueError),
    ("version-str-unicode-digit", ("١.١", 200, "OK", []), ValueError),
    ("version-str-crlf", ("1\r\n", 200, "OK", []), ValueError),
    ("version-float", (1.1, 200, "OK", []), TypeError),
    ("version-list", ([1, 1], 200, "OK", []), TypeError),
    ("version-none", (None, 200, "OK", []), TypeError),
    # the order of the checks: version, status, reason, every pair, then every value
    ("order-version-first", ((9, 99), "x", None, 1), ValueError),
    ("order-status-before-reason", ((1, 1), 1, "\r", []), ValueError),
    ("order-reason-before-fields", ((1, 1), 200, "\r", [(1, 2)]), HeaderInjectionError),
    ("order-name-before-its-value", ((1, 1), 200, "OK", [("A B", 1)]), HeaderInjectionError),
    ("order-pairs-before-values", ((1, 1), 200, "OK", [("A", "\r"), ("B", 2)]), TypeError),
    ("order-names-before-values", ((1, 1), 200, "OK", [("A", "\ud800"), ("B C", "1")]),
     HeaderInjectionError),
    ("order-values-in-turn", ((1, 1), 200, "OK", [("A", "\ud800"), ("B", "\r")]),
     UnicodeEncodeError),
    ("order-values-in-turn-2", ((1, 1), 200, "OK", [("A", "\r"), ("B", "\ud800")]),
     HeaderInjectionError),
]


@pytest.mark.parametrize("args,err", [c[1:] for c in BAD_RESPONSE], ids=[c[0] for c in BAD_RESPONSE])
def test_bad_response_heads(twin, args, err):
    with pytest.raises(Exception) as info:
        twin.write_response_head(*args)
    assert type(info.value) is err, info.value


BAD_REQUEST = [
    ("method-space", ("GE T", "/", (1, 1)), HeaderInjectionError),
    ("method-empty", ("", "/", (1, 1)), HeaderInjectionError),
    ("method-crlf", ("GET\r\n", "/", (1, 1)), HeaderInjectionError),
    ("method-non-ascii", ("GÉT", "/", (1, 1)), HeaderInjectionError),
    ("method-bytes", (b"GET", "/", (1, 1)), TypeError),
    ("target-space", ("GET", "/a b", (1, 1)), HeaderInjectionError),
    ("target-crlf", ("GET", "/\r\nX: y", (1, 1)), HeaderInjectionError),
    ("target-empty", ("GET", "", (1, 1)), HeaderInjectionError),
    ("target-non-ascii", ("GET", "/é", (1, 1)), HeaderInjectionError),
    ("target-del", ("GET", "/\x7f", (1, 1)), HeaderInjectionError),
    ("target-none", ("GET", None, (1, 1)), TypeError),
    ("version", ("GET", "/", (2, 10)), ValueError),
    ("order-target-before-version", ("GET", "/ x", None), HeaderInjectionError),
    ("field", ("GET", "/", (1, 1), [("Host", "a\nb")]), HeaderInjectionError),
]


@pytest.mark.parametrize("args,err", [c[1:] for c in BAD_REQUEST], ids=[c[0] for c in BAD_REQUEST])
def test_bad_request_heads(twin, args, err):
    with pytest.raises(Exception) as info:
        twin.write_request_head(*args)
    assert type(info.value) is err, info.value


def test_injection_error_is_a_value_error_not_a_parse_error():
    assert issubclass(HeaderInjectionError, ValueError)
    assert not issubclass(HeaderInjectionError, ParseError)


def test_a_str_subclass_cannot_pass_for_a_known_name(twin):
    class Liar(str):
        def __hash__(self) -> int:
            return hash("Content-Type")

        def __eq__(self, other: object) -> bool:
            return True

    twin.write_response_head((1, 1), 200, "OK", [("Content-Type", "a")])  # known now
    with pytest.raises(HeaderInjectionError):
        twin.write_response_head((1, 1), 200, "OK", [(Liar("X\r\nSet-Cookie: a"), "b")])


def test_names_past_the_cache_still_checked(twin):
    for i in range(1000):
        assert twin.write_response_head((1, 1), 200, "", [(f"N{i}", "v")]).endswith(
            f"N{i}: v\r\n\r\n".encode())
    with pytest.raises(HeaderInjectionError):
        twin.write_response_head((1, 1), 200, "", [("N 5", "v")])


def test_round_trip_through_the_parsers(twin):
    fields = [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", "a=1"),
              ("set-cookie", "b=2"), ("X-Odd", "é \udcff x"), ("Content-Length", "0")]
    head = _http_parser_py.ResponseParser().feed(
        twin.write_response_head((1, 1), 201, "Created", fields))[0]
    assert (head.version, head.status, head.reason) == ((1, 1), 201, "Created")
    assert list(head.headers.items()) == fields
    request = _http_parser_py.RequestParser().feed(
        twin.write_request_head("POST", "/x?y", (1, 1), [("Host", "h"), *fields]))[0]
    assert (request.method, request.path) == ("POST", "/x?y")
    assert list(request.headers.items()) == [("Host", "h"), *fields]


def test_chooser_exports():
    from cyhttp._core import head_writer

    assert head_writer.write_response_headPy.__module__.endswith("_head_writer_py")
    assert head_writer.write_response_headC.__module__.endswith("_head_writer_c")
    assert head_writer.write_response_head in (head_writer.write_response_headPy,
                                               head_writer.write_response_headC)
    assert head_writer.write_request_head in (head_writer.write_request_headPy,
                                              head_writer.write_request_headC)
