"""Fuzz target for the head writer twins (``write_response_head`` / ``write_request_head``).

Not a byte stream: an input is a call (start-line parts and the fields in one of the
containers the writer takes), made from valid heads and then mutated: CR / LF / NUL /
SP / TAB / colon and non-ASCII (also lone surrogates, and surrogateescape'd bytes)
inserted into the texts, names made non-tokens, wrong types, odd versions and statuses.
Both twins must return the same bytes or raise the same exception type, and raise
nothing but ValueError (HeaderInjectionError is one), TypeError or UnicodeEncodeError.
Byte-stream splitting does not apply (``split = False``).
"""

from __future__ import annotations

import random
from typing import Any

from multidict import CIMultiDict, istr

from cyhttp._core import _head_writer_c, _head_writer_py

from .engine import Escape

ALLOWED = (ValueError, TypeError, UnicodeEncodeError)
SPECIALS = ["\r", "\n", "\x00", "\t", " ", ":", "\x7f", "é", "\udcff", "\udc80", "\ud800",
            "€", "\x80", "\u2028", "\r\n", "\x01", ";", ",", "\"", "\\", "(", "@", "\uffff",
            "\U0001f600"]
NAMES = ["Content-Type", "Server", "Set-Cookie", "X-A", "Content-Length", "Date", "ETag",
         "Transfer-Encoding", "Connection", "Host", "User-Agent", "a", "x" * 60]
VALUES = ["", "x", "text/html; charset=utf-8", "0", "keep-alive", "a=b; Path=/", "ça",
          "  padded ", "v" * 200, "\udce9t\udce9"]
REASONS = ["OK", "", "Not Found", "Ça va", "I'm a teapot", "x" * 100]
METHODS = ["GET", "POST", "PUT", "HEAD", "DELETE", "OPTIONS", "CONNECT", "M-SEARCH", "get"]
TARGETS_ = ["/", "/index.html", "/a?b=c", "*", "http://example.com/x", "example.com:443",
            "/%20"]
VERSIONS: list[Any] = [(1, 1), (1, 0), "1.1", "1.0", (2, 0), (0, 9), (9, 9), (1, 10), (-1, 1),
                       "1.x", "11", "1.1 ", (1,), [1, 1], (True, 1), (1.0, 1), None, b"1.1",
                       (1, 1, 1), "", "٣.١"]
STATUSES: list[Any] = [200, 200, 204, 404, 100, 999, 99, 1000, 0, -200, True, 200.0, "200",
                       None, 2 ** 70]
CONTAINERS = ("list", "tuple", "dict", "cimultidict", "iter", "istr-list")


def _insert(rng: random.Random, text: str) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + rng.choice(SPECIALS) * rng.choice((1, 1, 2)) + text[at:]


def _mutate_text(rng: random.Random, value: Any) -> Any:
    r = rng.random()
    if r < 0.7 or not isinstance(value, str):
        return _insert(rng, value if isinstance(value, str) else "")
    if r < 0.8:
        return value.encode("utf-8", "surrogatepass")  # bytes: a TypeError
    if r < 0.85:
        return rng.choice((None, 1, ("a",), istr("ok")))
    if r < 0.9:
        return ""
    return value * 3


def make(rng: random.Random) -> tuple:
    headers = [(rng.choice(NAMES), rng.choice(VALUES)) for _ in range(rng.choice((0, 1, 2, 3, 6)))]
    container = rng.choice(CONTAINERS)
    if rng.random() < 0.5:
        return ("response", rng.choice(VERSIONS[:5]), rng.choice(STATUSES[:5]),
                rng.choice(REASONS), container, headers)
    return ("request", rng.choice(METHODS), rng.choice(TARGETS_), rng.choice(VERSIONS[:5]),
            container, headers)


def mutate_call(rng: random.Random, call: tuple) -> tuple:
    kind, a, b, c, container, headers = call
    headers = list(headers)
    for _ in range(rng.choice((1, 1, 2, 3))):
        r = rng.random()
        if r < 0.35 and headers:
            i = rng.randrange(len(headers))
            if not (isinstance(headers[i], tuple) and len(headers[i]) == 2):
                continue
            name, value = headers[i]
            if rng.random() < 0.4:
                name = _mutate_text(rng, name)
            else:
                value = _mutate_text(rng, value)
            headers[i] = (name, value)
        elif r < 0.42:
            headers.append(rng.choice((("X", "y", "z"), ("X",), "ab", ("", "v"), (istr("X-I"), "v"))))
        elif r < 0.52:
            if kind == "response":
                b = rng.choice(STATUSES)
            else:
                b = _mutate_text(rng, b)
        elif r < 0.62:
            if kind == "response":
                a = rng.choice(VERSIONS)
            else:
                c = rng.choice(VERSIONS)
        elif r < 0.82:
            if kind == "response":
                c = _mutate_text(rng, c)
            else:
                a = _mutate_text(rng, a)
        else:
            container = rng.choice(CONTAINERS)
    return (kind, a, b, c, container, headers)


def build(container: str, headers: list[Any]) -> Any:
    """The fields in the container the call names (made anew for every run)."""
    if container == "list":
        return list(headers)
    if container == "tuple":
        return tuple(headers)
    if container == "istr-list":
        return [(istr(h[0]) if isinstance(h, tuple) and h and isinstance(h[0], str) else h)
                if isinstance(h, tuple) and len(h) == 2 else h for h in headers]
    pairs = [h for h in headers if isinstance(h, tuple) and len(h) == 2]
    if container == "dict":
        try:
            return dict(pairs)
        except TypeError:  # an unhashable name
            return list(headers)
    if container == "cimultidict":
        try:
            return CIMultiDict(pairs)
        except (TypeError, ValueError):  # CIMultiDict takes str names only
            return list(headers)
    return iter(list(headers))


class HeadWriterTarget:
    name = "head_writer"
    split = False
    options: list[Any] = [None]
    mods = (_head_writer_py, _head_writer_c)

    def __init__(self, seed: int = 0, pool: int = 500) -> None:
        rng = random.Random(seed)
        self.pool = [make(rng) for _ in range(pool)]

    def generate(self, rng: random.Random) -> tuple[tuple, int]:
        call = rng.choice(self.pool)
        if rng.random() < 0.1:
            return call, 0
        return mutate_call(rng, call), 0

    def outcome(self, twin: int, data: tuple, chunks: list[bytes] | None, opts: Any) -> tuple:
        kind, a, b, c, container, headers = data
        mod = self.mods[twin]
        try:
            if kind == "response":
                return ("ok", mod.write_response_head(a, b, c, build(container, headers)))
            return ("ok", mod.write_request_head(a, b, c, build(container, headers)))
        except ALLOWED as exc:
            return ("error", type(exc).__name__)
        except Exception as exc:
            raise Escape() from exc


__all__ = ("HeadWriterTarget",)
