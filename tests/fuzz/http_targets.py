"""Fuzz targets for the HTTP/1 twins: response parser, request parser, chunked decoder.

Seeds are valid messages made from a seeded generator (every framing, 1xx, upgrades,
CONNECT, pipelining, extensions and trailers); each input is a seed mutated (9 in 10)
or left as it is.  An outcome is what a consumer sees: the events (heads as plain
tuples, body pieces joined, chunk boundaries merged and checked) and the parser's end
state, or the error's type and the events delivered before it (earlier feeds' plus the
failing feed's ``exc.events``).  Only the ParseError tree may escape.
"""

from __future__ import annotations

import random
from typing import Any

from cyhttp._core import _chunked_c, _chunked_py, _http_parser_c, _http_parser_py
from cyhttp._core.errors import ParseError
from cyhttp._core.events import ChunkEnds, EndOfMessage

from .engine import Escape, Invariant
from .mutate import Mutator, mutate

TCHARS = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
NAMES = [b"Content-Type", b"Server", b"Set-Cookie", b"X-A", b"Date", b"ETag", b"Vary",
         b"Content-Encoding", b"Cache-Control", b"Accept", b"User-Agent", b"Cookie",
         b"Trailer", b"Keep-Alive", b"Location"]
VALUES = [b"", b"x", b"gzip", b"br", b"deflate", b"text/html; charset=utf-8", b"keep-alive",
          b"close", b"no-cache, no-store", b"a=b; Path=/", b"\xc3\xa7a", b"  padded\t",
          b'"etag-1"', b"Mon, 01 Jan 2024 00:00:00 GMT", b"*/*", b"\x80\xff"]


def _token(rng: random.Random, n: int = 0) -> bytes:
    return bytes(rng.choice(TCHARS) for _ in range(n or rng.randint(1, 10)))


def _fields(rng: random.Random, count: int) -> list[tuple[bytes, bytes]]:
    out = []
    for _ in range(count):
        name = rng.choice(NAMES) if rng.random() < 0.7 else _token(rng)
        if rng.random() < 0.8:
            value = rng.choice(VALUES)
        else:
            value = bytes(rng.choice(b"abcXYZ019 =;,/\t\x80\xe9") for _ in range(rng.randint(0, 20)))
            value = value.strip(b" \t")
        out.append((name, value))
    return out


def _extensions(rng: random.Random) -> bytes:
    out = b""
    for _ in range(rng.choice((0, 0, 0, 1, 2))):
        out += b";" + _token(rng, rng.randint(1, 5))
        r = rng.random()
        if r < 0.4:
            out += b"=" + _token(rng, rng.randint(1, 5))
        elif r < 0.7:
            out += b'="' + rng.choice((b"", b"a b", b"x;y=z", b'\\"q\\"', b"\t\xff")) + b'"'
    return out


def chunked_body(rng: random.Random, payload: bytes, spaces: bool) -> bytes:
    """``payload`` as a chunked body (random chunk sizes, hex spellings, extensions, trailers)."""
    out = bytearray()
    pos = 0
    while pos < len(payload):
        size = min(len(payload) - pos, rng.choice((1, 2, 3, 5, 8, 16, 64, 300)))
        digits = b"%x" % size
        if rng.random() < 0.2:
            digits = digits.upper()
        if rng.random() < 0.1:
            digits = b"0" * rng.randint(1, 3) + digits
        ws = rng.choice((b"", b"", b"", b" ", b"\t")) if spaces else b""
        out += digits + ws + _extensions(rng) + b"\r\n" + payload[pos:pos + size] + b"\r\n"
        pos += size
    out += b"0" + _extensions(rng) + b"\r\n"
    for name, value in _fields(rng, rng.choice((0, 0, 0, 1, 2))):
        out += name + b": " + value + b"\r\n"
    out += b"\r\n"
    return bytes(out)


def _body(rng: random.Random) -> bytes:
    n = rng.choice((0, 0, 1, 3, 5, 10, 10, 20, 40, 40, 200))
    return bytes(rng.choice(b"abc\r\n0 x\x00\xff") for _ in range(rng.randint(0, n)))


def response(rng: random.Random, method: str | None, last: bool) -> bytes:
    version = rng.choice((b"1.1", b"1.1", b"1.1", b"1.0"))
    status = rng.choice((200, 200, 200, 201, 204, 206, 301, 304, 404, 500, 100, 103)
                        + ((101,) if last else ()))
    if method == "CONNECT" and 200 <= status < 300 and not last:
        status = 404
    reason = rng.choice((b" OK", b" OK", b"", b" ", b" Not  Found", b" \xc3\x87a"))
    fields = _fields(rng, rng.randint(0, 6))
    body = _body(rng)
    framing = rng.choice(("length", "length", "chunked", "chunked", "none") + (("eof",) if last else ()))
    tail = b""
    if framing == "length":
        fields.insert(rng.randint(0, len(fields)), (b"Content-Length", b"%d" % len(body)))
        tail = body
    elif framing == "chunked":
        fields.insert(rng.randint(0, len(fields)),
                      (b"Transfer-Encoding", rng.choice((b"chunked", b"gzip, chunked", b"Chunked"))))
        tail = chunked_body(rng, body, True)
    elif framing == "eof":
        tail = body
    if status == 101:
        fields += [(b"Connection", b"Upgrade"), (b"Upgrade", b"websocket")]
        tail = body  # not HTTP: the upgraded protocol's bytes
    elif status < 200 or status in (204, 304) or method == "HEAD" or (
            method == "CONNECT" and status < 300):
        tail = b"" if not (method == "CONNECT" and status < 300) else body
    if last and framing == "none" and rng.random() < 0.3:
        fields.append((b"Connection", b"close"))
    head = b"HTTP/" + version + b" %d" % status + reason + b"\r\n"
    head += b"".join(n + b":" + rng.choice((b" ", b" ", b"", b"\t")) + v + b"\r\n" for n, v in fields)
    return head + b"\r\n" + tail


TARGETS = [b"/", b"/index.html", b"/a/b?c=d&e=%20f", b"*", b"http://example.com/x",
           b"/%zz", b"/p;q", b"/~user/", b"/a#frag"]
METHODS = [b"GET", b"GET", b"POST", b"PUT", b"HEAD", b"DELETE", b"OPTIONS", b"PATCH", b"PURGE"]


def request(rng: random.Random, last: bool) -> bytes:
    method = rng.choice(METHODS + ([b"CONNECT"] if last else []))
    if method == b"CONNECT":
        target = rng.choice((b"example.com:443", b"[::1]:8080", b"a:1"))
    elif method == b"OPTIONS" and rng.random() < 0.5:
        target = b"*"
    else:
        target = rng.choice([t for t in TARGETS if t != b"*"])
    version = rng.choice((b"1.1", b"1.1", b"1.1", b"1.0"))
    fields = _fields(rng, rng.randint(0, 6))
    if version == b"1.1" or rng.random() < 0.5:
        fields.insert(rng.randint(0, len(fields)), (b"Host", rng.choice((b"example.com", b"a:80", b"[::1]"))))
    body = _body(rng) if method not in (b"GET", b"HEAD") or rng.random() < 0.2 else b""
    framing = rng.choice(("length", "chunked", "none") if body else ("none", "length"))
    tail = b""
    if framing == "length":
        fields.append((b"Content-Length", b"%d" % len(body)))
        tail = body
    elif framing == "chunked" and version == b"1.1":
        fields.append((b"Transfer-Encoding", rng.choice((b"chunked", b"gzip, chunked"))))
        tail = chunked_body(rng, body, False)
    if last and rng.random() < 0.15:
        fields += [(b"Connection", b"Upgrade"), (b"Upgrade", b"websocket")]
        tail += b"\x81\x02hi"
    elif last and rng.random() < 0.2:
        fields.append((b"Connection", b"close"))
    if method == b"CONNECT":
        tail = b"\x16\x03\x01tls bytes"
    head = method + b" " + target + b" HTTP/" + version + b"\r\n"
    head += b"".join(n + b":" + rng.choice((b" ", b" ", b"")) + v + b"\r\n" for n, v in fields)
    return (b"\r\n" if rng.random() < 0.05 else b"") + head + b"\r\n" + tail


# -- outcomes -----------------------------------------------------------------------------

def head_fields(head: Any) -> tuple:
    if hasattr(head, "method"):
        return ("request", head.method, head.path, head.version, tuple(head.headers.items()),
                head.raw_headers, head.content_length, head.chunked, head.keep_alive,
                head.upgrade, head.encoding)
    return ("response", head.version, head.status, head.reason, tuple(head.headers.items()),
            head.raw_headers, head.content_length, head.chunked, head.keep_alive,
            head.upgrade, head.encoding)


def normalise(events: list[Any]) -> tuple:
    """Heads as tuples, adjacent body pieces joined, each message's ChunkEnds merged into
    one ``("chunk_ends", offsets)`` before its end; the invariants are checked."""
    out: list[Any] = []
    body = 0
    ends: list[int] = []
    for ev in events:
        cls = ev.__class__
        if cls is bytes:
            if not ev:
                raise Invariant("empty body piece")
            body += len(ev)
            if out and out[-1].__class__ is bytes:
                out[-1] += ev
            else:
                out.append(ev)
        elif cls is ChunkEnds:
            offsets = ev.offsets()
            if not offsets or ev.base != body or list(offsets) != sorted(set(offsets)) \
                    or offsets[0] < body or (ends and offsets[0] <= ends[-1]):
                raise Invariant(f"bad {ev!r} after {body} payload bytes, ends so far {ends}")
            ends.extend(offsets)
        elif cls is EndOfMessage:
            if ends:
                if ends[-1] > body:
                    raise Invariant(f"chunk end {ends[-1]} past the {body} payload bytes")
                out.append(("chunk_ends", tuple(ends)))
            out.append(("end", ev.trailers))
            ends, body = [], 0
        else:
            if ends:
                raise Invariant("chunk ends left before a head")
            out.append(head_fields(ev))
            body = 0
    if ends:
        out.append(("chunk_ends", tuple(ends)))
    return tuple(out)


def _parser_outcome(parser: Any, chunks: list[bytes], check_status: bool) -> tuple:
    events: list[Any] = []
    try:
        try:
            for got in map(parser.feed, chunks):
                if got:
                    events += got
            events += parser.feed_eof()
        except ParseError as exc:
            if check_status and exc.status != 400:
                raise Invariant(f"status {exc.status} for {exc!r}") from None
            return ("error", type(exc).__name__, normalise(events + exc.events))
    except (Invariant, Escape):
        raise
    except Exception as exc:
        raise Escape() from exc
    return ("ok", normalise(events), parser.upgraded, parser.unparsed())


class ResponseTarget:
    name = "response"
    split = True
    # (method given to set_method, parser keywords)
    options: list[Any] = [
        (None, {}), ("GET", {}), ("HEAD", {}), ("CONNECT", {}), (None, {"lax": True}),
        ("GET", {"read_until_eof": False}),
        (None, {"max_line_size": 40, "max_field_size": 30, "max_headers": 4}),
        ("GET", {"max_head_size": 120, "lax": True}),
    ]
    mods = (_http_parser_py, _http_parser_c)
    extra: list[Mutator] = []

    def __init__(self, seed: int = 0, pool: int = 600) -> None:
        rng = random.Random(seed)
        self.pools: list[list[bytes]] = []
        for method, _ in self.options:
            streams = []
            for _ in range(pool):
                count = rng.choice((1, 1, 1, 1, 1, 2, 2, 3))
                streams.append(b"".join(response(rng, method, i == count - 1) for i in range(count)))
            self.pools.append(streams)

    def generate(self, rng: random.Random) -> tuple[bytes, int]:
        k = rng.randrange(len(self.options))
        pool = self.pools[k]
        seed = rng.choice(pool)
        if rng.random() < 0.1:
            return seed, k
        return mutate(rng, seed, self.extra, splice_pool=pool), k

    def outcome(self, twin: int, data: bytes, chunks: list[bytes] | None, opts: Any) -> tuple:
        method, kwargs = opts
        parser = self.mods[twin].ResponseParser(**kwargs)
        if method is not None:
            parser.set_method(method)
        return _parser_outcome(parser, [data] if chunks is None else chunks, False)


class RequestTarget:
    name = "request"
    split = True
    options: list[Any] = [
        {}, {}, {"max_line_size": 40, "max_field_size": 30, "max_headers": 4},
        {"max_head_size": 150},
    ]
    mods = (_http_parser_py, _http_parser_c)
    extra: list[Mutator] = []

    def __init__(self, seed: int = 0, pool: int = 1500) -> None:
        rng = random.Random(seed)
        streams = []
        for _ in range(pool):
            count = rng.choice((1, 1, 1, 1, 1, 2, 2, 3))
            streams.append(b"".join(request(rng, i == count - 1) for i in range(count)))
        self.pool = streams

    def generate(self, rng: random.Random) -> tuple[bytes, int]:
        k = rng.randrange(len(self.options))
        seed = rng.choice(self.pool)
        if rng.random() < 0.1:
            return seed, k
        return mutate(rng, seed, self.extra, splice_pool=self.pool), k

    def outcome(self, twin: int, data: bytes, chunks: list[bytes] | None, opts: Any) -> tuple:
        parser = self.mods[twin].RequestParser(**opts)
        return _parser_outcome(parser, [data] if chunks is None else chunks, True)


class ChunkedTarget:
    name = "chunked"
    split = True
    options: list[Any] = [
        {}, {"strict": True}, {"max_line_size": 12, "max_trailers": 2, "max_field_size": 16},
        {"strict": True, "max_line_size": 20},
    ]
    mods = (_chunked_py, _chunked_c)
    extra: list[Mutator] = []

    def __init__(self, seed: int = 0, pool: int = 1500) -> None:
        rng = random.Random(seed)
        self.pool = []
        for _ in range(pool):
            body = chunked_body(rng, _body(rng), rng.random() < 0.5)
            if rng.random() < 0.2:
                body += rng.choice((b"HTTP/1.1 200 OK\r\n", b"xyz", b"0\r\n\r\n"))
            self.pool.append(body)

    def generate(self, rng: random.Random) -> tuple[bytes, int]:
        k = rng.randrange(len(self.options))
        seed = rng.choice(self.pool)
        if rng.random() < 0.1:
            return seed, k
        return mutate(rng, seed, self.extra, splice_pool=self.pool), k

    def outcome(self, twin: int, data: bytes, chunks: list[bytes] | None, opts: Any) -> tuple:
        dec = self.mods[twin].ChunkedDecoder(**opts)
        payload = bytearray()
        ends: list[int] = []
        end = None

        def take_ends() -> None:
            found = dec.chunk_ends()
            if found is not None:
                offsets = found.offsets()
                if not offsets or found.base > len(payload) or (ends and offsets[0] <= ends[-1]):
                    raise Invariant(f"bad {found!r}")
                ends.extend(offsets)

        try:
            try:
                for chunk in ([data] if chunks is None else chunks):
                    base = len(payload)
                    events = dec.feed(chunk)
                    found = dec.chunk_ends()
                    if found is not None and found.base != base:
                        raise Invariant(f"ChunkEnds base {found.base}, payload before the feed {base}")
                    take_ends()
                    for ev in events:
                        if ev.__class__ is bytes:
                            if not ev or end is not None:
                                raise Invariant("empty piece, or payload after the end")
                            payload += ev
                        elif isinstance(ev, EndOfMessage):
                            if end is not None or not dec.done:
                                raise Invariant("second end, or an end while not done")
                            end = ev.trailers
                        else:
                            raise Invariant(f"unexpected event {ev!r}")
            except ParseError as exc:
                for ev in exc.events:
                    if ev.__class__ is not bytes or not ev:
                        raise Invariant(f"bad piece in exc.events: {ev!r}") from None
                    payload += ev
                take_ends()
                return ("error", type(exc).__name__, bytes(payload), tuple(ends))
        except (Invariant, Escape):
            raise
        except Exception as exc:
            raise Escape() from exc
        if ends and ends[-1] > len(payload):
            raise Invariant("chunk end past the payload")
        return ("ok", bytes(payload), tuple(ends), end, dec.unused(), dec.done)


__all__ = ("ResponseTarget", "RequestTarget", "ChunkedTarget", "normalise", "head_fields",
           "response", "request", "chunked_body")
