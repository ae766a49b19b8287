"""The end-to-end scenarios: what each one requests, how it is driven, and its unit.

Two families.  Transfers (latency, downloads, uploads, WebSocket) measure the engine.
*Patterns* are the ways crawlers drive a client, each a small GET unless noted, and each
with a budget bar (``bench/budget.py``): long-lived workers (``small64``), thousands of
gathered tasks behind a semaphore (``sem20k``), thousands queued by the connector's limit
(``queued20k``), many hosts with ``limit_per_host`` (``hosts20``), JSON POSTs
(``post_json``), requests with their own headers and jar cookies (``headers_cookies``) and a
session with one pass-through middleware (``middleware``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

POST_BODY = b"x" * (64 * 1024)
WS_SMALL = "hello websocket!"
WS_LARGE = bytes(range(256)) * 4096  # 1 MiB
# The JSON POST pattern's document: 16 string fields, exactly 1 KiB as json.dumps writes it.
JSON_DOC = {f"field{i:02d}": chr(ord("a") + i) * 49 for i in range(16)}
# The own-headers pattern: a request's own headers, and the two cookies its session's jar holds.
OWN_HEADERS = {"X-Request-Id": "42", "Accept-Language": "en"}
JAR_COOKIES = {"session": "0123456789abcdef", "theme": "dark"}
GATHERED = 20_000  # requests of a gathered pattern (--quick: QUICK_GATHERED)
QUICK_GATHERED = 2_000
HOSTS = 20  # 127.0.0.1 … 127.0.0.20, one port (the bench server listens on each)


@dataclass(frozen=True)
class Setup:
    """How the pattern's session (or client) is configured; None: the client's defaults."""

    limit: int | None = None          # total connections (None: unbounded enough, 0 in aiohttp terms)
    limit_per_host: int | None = None
    cookies: dict[str, str] = field(default_factory=dict)  # in the jar before the run
    middleware: bool = False          # one pass-through middleware


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    kind: str          # get | get_headers | post | post_json | multihost | hosts | ws_small | ws_large
    path: str
    concurrency: int   # workers; for a gathered pattern the semaphore / pool bound (informative)
    unit: str          # "req/s", "MB/s" or "msg/s"
    drive: str = "workers"  # workers (each repeats until the deadline) | semaphore | gathered
    setup: Setup = Setup()
    pattern: bool = False  # one of the ways crawlers drive a client (budget bars apply)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("latency", "small GET, 1 in flight", "get", "/small", 1, "req/s"),
        Scenario("small64", "64 long-lived workers, small GET", "get", "/small", 64, "req/s", pattern=True),
        Scenario("sem20k", "20k gathered tasks behind asyncio.Semaphore(64)", "get", "/small", 64, "req/s",
                 drive="semaphore", setup=Setup(limit=100), pattern=True),
        Scenario("queued20k", "20k gathered tasks queued by TCPConnector(limit=64)", "get", "/small", 64,
                 "req/s", drive="gathered", setup=Setup(limit=64), pattern=True),
        Scenario("hosts20", "20 hosts (127.0.0.1-20), limit_per_host=3, 20k gathered", "hosts", "/small", 3,
                 "req/s", drive="gathered", setup=Setup(limit=100, limit_per_host=3), pattern=True),
        Scenario("post_json", "64 workers POSTing a 1 KiB json= body", "post_json", "/post", 64, "req/s",
                 pattern=True),
        Scenario("headers_cookies", "64 workers, own headers=, two cookies in the jar", "get_headers",
                 "/small", 64, "req/s", setup=Setup(cookies=JAR_COOKIES), pattern=True),
        Scenario("middleware", "64 workers, session with one pass-through middleware", "get", "/small", 64,
                 "req/s", setup=Setup(middleware=True), pattern=True),
        Scenario("dl64k", "64 KiB download, 8 concurrent", "get", "/64k", 8, "MB/s"),
        Scenario("dl1m", "1 MiB download, 4 concurrent", "get", "/1m", 4, "MB/s"),
        Scenario("chunked1m", "1 MiB chunked (4 KiB chunks), 4 concurrent", "get", "/chunked1m", 4, "MB/s"),
        Scenario("post64k", "64 KiB POST, 16 concurrent", "post", "/post", 16, "req/s"),
        Scenario("multihost", "20 ports x 10 concurrent", "multihost", "/small", 10, "req/s"),
        Scenario("ws_small", "WebSocket small echo, 8 connections", "ws_small", "/ws", 8, "msg/s"),
        Scenario("ws_1m", "WebSocket 1 MiB binary echo", "ws_large", "/ws", 1, "MB/s"),
    )
}
PATTERNS = [s.name for s in SCENARIOS.values() if s.pattern]
WORKER_PATTERN = "small64"
