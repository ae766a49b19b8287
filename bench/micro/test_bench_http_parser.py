"""Micro-benchmark: a typical response head (11 fields) → ResponseHead with its CIMultiDictProxy.

Both twins, plus references in the same run: httptools (llhttp; callbacks collect the raw
fields, the least a client needs), aiohttp's compiled HttpResponseParser and its pure
HttpResponseParserPy.  Each parser is reused (one per connection, as in a client); the
head says ``Content-Length: 0`` so every feed is one complete response.

Run: .venv/bin/python -m pytest bench/micro/test_bench_http_parser.py --benchmark-enable -q
Budget (DESIGN.md): compiled ≤ 2 µs, pure ≤ 15 µs.
"""

from __future__ import annotations

import asyncio

import pytest

from cyhttp._core import _http_parser_c, _http_parser_py

HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b"Date: Sat, 21 Nov 2026 05:32:27 GMT\r\n"
    b"Server: nginx/1.25.3\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"Content-Length: 0\r\n"
    b"Connection: keep-alive\r\n"
    b"Cache-Control: max-age=0, private, must-revalidate\r\n"
    b'ETag: "33a64df551425fcc55e4d42a148795d9f25f89d4"\r\n'
    b"Vary: Accept-Encoding\r\n"
    b"X-Frame-Options: SAMEORIGIN\r\n"
    b"X-Content-Type-Options: nosniff\r\n"
    b"Set-Cookie: session=abc123; Path=/; HttpOnly\r\n"
    b"\r\n"
)


@pytest.mark.parametrize("mod", [_http_parser_py, _http_parser_c], ids=["py", "c"])
def test_cyhttp(benchmark, mod):
    parser = mod.ResponseParser()
    feed = parser.feed
    events = benchmark(feed, HEAD)
    assert events[0].status == 200 and len(events[0].headers) == 11
    assert events[0].headers["content-type"] == "text/html; charset=utf-8"


def test_httptools(benchmark):
    httptools = pytest.importorskip("httptools")

    class Proto:
        def __init__(self) -> None:
            self.fields: list[tuple[bytes, bytes]] = []
            self.done = 0

        def on_header(self, name: bytes, value: bytes) -> None:
            self.fields.append((name, value))

        def on_message_complete(self) -> None:
            self.done += 1
            self.fields = []

    proto = Proto()
    parser = httptools.HttpResponseParser(proto)
    benchmark(parser.feed_data, HEAD)
    assert proto.done > 0 and parser.get_status_code() == 200


@pytest.fixture
def aiohttp_parser_args():
    from aiohttp.base_protocol import BaseProtocol

    loop = asyncio.new_event_loop()
    yield BaseProtocol(loop), loop
    loop.close()


@pytest.mark.parametrize("kind", ["aiohttp_c", "aiohttp_py"])
def test_aiohttp(benchmark, aiohttp_parser_args, kind):
    from aiohttp import http_parser

    cls = http_parser.HttpResponseParserC if kind == "aiohttp_c" else http_parser.HttpResponseParserPy
    protocol, loop = aiohttp_parser_args
    parser = cls(protocol, loop, 2**16, max_line_size=8190, max_field_size=8190)
    messages, _, _ = benchmark(parser.feed_data, HEAD)
    assert messages[0][0].code == 200 and len(messages[0][0].headers) == 11
