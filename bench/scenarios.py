"""The end-to-end scenarios: what each one requests, how many in flight, and its unit."""

from __future__ import annotations

from dataclasses import dataclass

POST_BODY = b"x" * (64 * 1024)
WS_SMALL = "hello websocket!"
WS_LARGE = bytes(range(256)) * 4096  # 1 MiB
# The JSON POST pattern's document: 16 string fields, exactly 1 KiB as json.dumps writes it.
JSON_DOC = {f"field{i:02d}": chr(ord("a") + i) * 49 for i in range(16)}
# The own-headers pattern: a request's own headers, and the two cookies its session's jar holds.
OWN_HEADERS = {"X-Request-Id": "42", "Accept-Language": "en"}
JAR_COOKIES = {"session": "0123456789abcdef", "theme": "dark"}


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    kind: str          # get | post | multihost | ws_small | ws_large
    path: str
    concurrency: int
    unit: str          # "req/s" or "MB/s"


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("latency", "small GET, 1 in flight", "get", "/small", 1, "req/s"),
        Scenario("small64", "small GET, 64 concurrent", "get", "/small", 64, "req/s"),
        Scenario("dl64k", "64 KiB download, 8 concurrent", "get", "/64k", 8, "MB/s"),
        Scenario("dl1m", "1 MiB download, 4 concurrent", "get", "/1m", 4, "MB/s"),
        Scenario("chunked1m", "1 MiB chunked (4 KiB chunks), 4 concurrent", "get", "/chunked1m", 4, "MB/s"),
        Scenario("post64k", "64 KiB POST, 16 concurrent", "post", "/post", 16, "req/s"),
        Scenario("multihost", "20 hosts x 10 concurrent", "multihost", "/small", 10, "req/s"),
        Scenario("ws_small", "WebSocket small echo, 8 connections", "ws_small", "/ws", 8, "msg/s"),
        Scenario("ws_1m", "WebSocket 1 MiB binary echo", "ws_large", "/ws", 1, "MB/s"),
    )
}
