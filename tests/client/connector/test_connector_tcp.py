"""TCPConnector: DNS cache / de-duplication, happy eyeballs, timeouts, error mapping, TLS, traces."""

from __future__ import annotations

import asyncio
import socket
import ssl
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from yarl import URL

from cyhttp._client.connector.tcp import SSL_CONTEXT_UNVERIFIED, SSL_CONTEXT_VERIFIED
from cyhttp._client.exceptions import (
    ClientConnectorCertificateError,
    ClientConnectorDNSError,
    ClientConnectorError,
    ClientConnectorSSLError,
    ConnectionTimeoutError,
    InvalidUrlClientError,
    UnixClientConnectorError,
)
from cyhttp._client.timeouts import ClientTimeout
from cyhttp.abc import AbstractResolver
from cyhttp.connector import NamedPipeConnector, TCPConnector, UnixConnector

from .._connector_peer import NO_TIMEOUT, CountingServer, FakeRequest

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    srv = await CountingServer().start()
    yield srv
    await srv.stop()


class CountingResolver(AbstractResolver):
    """A real resolver: maps every name to fixed loopback addresses and counts lookups."""

    def __init__(self, addrs: tuple[str, ...] = ("127.0.0.1",), gate: asyncio.Event | None = None) -> None:
        self.addrs = addrs
        self.calls: list[str] = []
        self.gate = gate
        self.fail: OSError | None = None

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[Any]:
        self.calls.append(host)
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return [
            {"hostname": host, "host": a, "port": port, "family": socket.AF_INET, "proto": 0, "flags": 0}
            for a in self.addrs
        ]

    async def close(self) -> None:
        pass


class RecordingTrace:
    """Records which ``send_*`` coroutine was awaited (aiohttp's Trace method names)."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("send_"):
            raise AttributeError(name)

        async def send(*args: Any) -> None:
            self.events.append(name[5:])

        return send


def named(srv: CountingServer, host: str = "example.test") -> FakeRequest:
    return FakeRequest(URL(f"http://{host}:{srv.port}/"))


# -- DNS ------------------------------------------------------------------------------


async def test_dns_cache_hit_miss(server: CountingServer) -> None:
    resolver = CountingResolver()
    connector = TCPConnector(resolver=resolver, force_close=True)
    trace = RecordingTrace()
    for _ in range(3):
        c = await connector.connect(named(server), [trace], NO_TIMEOUT)
        c.release()
    assert resolver.calls == ["example.test"]
    assert trace.events.count("dns_cache_miss") == 1
    assert trace.events.count("dns_cache_hit") == 2
    assert trace.events[:3] == ["connection_create_start", "dns_cache_miss", "dns_resolvehost_start"]
    connector.clear_dns_cache()
    c = await connector.connect(named(server), [], NO_TIMEOUT)
    c.release()
    assert len(resolver.calls) == 2
    connector.clear_dns_cache("example.test", server.port)
    with pytest.raises(ValueError):
        connector.clear_dns_cache("example.test")
    await connector.close()


async def test_dns_cache_ttl(server: CountingServer) -> None:
    resolver = CountingResolver()
    connector = TCPConnector(resolver=resolver, ttl_dns_cache=0.05, force_close=True)
    for _ in range(2):
        (await connector.connect(named(server), [], NO_TIMEOUT)).release()
    assert len(resolver.calls) == 1
    await asyncio.sleep(0.1)
    (await connector.connect(named(server), [], NO_TIMEOUT)).release()
    assert len(resolver.calls) == 2
    await connector.close()


async def test_dns_cache_disabled(server: CountingServer) -> None:
    resolver = CountingResolver()
    connector = TCPConnector(resolver=resolver, use_dns_cache=False, force_close=True)
    trace = RecordingTrace()
    for _ in range(2):
        (await connector.connect(named(server), [trace], NO_TIMEOUT)).release()
    assert len(resolver.calls) == 2
    assert "dns_cache_hit" not in trace.events and trace.events.count("dns_resolvehost_end") == 2
    await connector.close()


async def test_concurrent_lookups_deduplicated(server: CountingServer) -> None:
    gate = asyncio.Event()
    resolver = CountingResolver(gate=gate)
    connector = TCPConnector(resolver=resolver)
    tasks = [asyncio.create_task(connector.connect(named(server), [], NO_TIMEOUT)) for _ in range(10)]
    await asyncio.sleep(0.01)
    tasks[0].cancel()  # the first caller gives up: the lookup goes on for the others
    tasks[5].cancel()
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert resolver.calls == ["example.test"]
    conns = [r for r in results if not isinstance(r, BaseException)]
    assert len(conns) == 8
    assert isinstance(results[0], asyncio.CancelledError)
    for c in conns:
        c.release()
    await connector.close()


async def test_concurrent_lookup_failure_reaches_every_waiter(server: CountingServer) -> None:
    gate = asyncio.Event()
    resolver = CountingResolver(gate=gate)
    resolver.fail = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    connector = TCPConnector(resolver=resolver)
    tasks = [asyncio.create_task(connector.connect(named(server), [], NO_TIMEOUT)) for _ in range(4)]
    await asyncio.sleep(0.01)
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert len(resolver.calls) == 1
    assert all(isinstance(r, ClientConnectorDNSError) for r in results)
    assert not connector._acquired
    await connector.close()


async def test_ip_literal_skips_resolver(server: CountingServer) -> None:
    resolver = CountingResolver()
    connector = TCPConnector(resolver=resolver)
    (await connector.connect(FakeRequest(server.url()), [], NO_TIMEOUT)).release()
    assert resolver.calls == []
    for bad in ("127.1", "2130706433", "127.000.0.1"):
        with pytest.raises(InvalidUrlClientError):
            await connector.connect(FakeRequest(URL(f"http://{bad}:{server.port}/")), [], NO_TIMEOUT)
    assert not connector._acquired
    await connector.close()


async def test_real_threaded_resolution_of_localhost(server: CountingServer) -> None:
    from cyhttp._client.connector.resolver import ThreadedResolver

    connector = TCPConnector(resolver=ThreadedResolver(), family=socket.AF_INET)
    (await connector.connect(named(server, "localhost"), [], NO_TIMEOUT)).release()
    await connector.close()


async def test_dns_failure_maps_to_dns_error(server: CountingServer) -> None:
    resolver = CountingResolver()
    resolver.fail = OSError(None, "DNS lookup failed")
    connector = TCPConnector(resolver=resolver)
    with pytest.raises(ClientConnectorDNSError) as info:
        await connector.connect(named(server), [], NO_TIMEOUT)
    assert info.value.host == "example.test"
    await connector.close()


# -- connecting -----------------------------------------------------------------------


async def test_refused_maps_to_connector_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    connector = TCPConnector()
    req = FakeRequest(URL(f"http://127.0.0.1:{port}/"))
    with pytest.raises(ClientConnectorError) as info:
        await connector.connect(req, [], NO_TIMEOUT)
    assert isinstance(info.value.os_error, ConnectionRefusedError)
    assert info.value.port == port
    assert not connector._acquired
    await connector.close()


@pytest.mark.skipif(sys.platform == "darwin", reason="127.0.0.2 is not routed on macOS by default")
async def test_happy_eyeballs_skips_dead_first_address(server: CountingServer) -> None:
    # 127.0.0.2 is loopback too, but the server only listens on 127.0.0.1: refused there.
    resolver = CountingResolver(addrs=("127.0.0.2", "127.0.0.1"))
    connector = TCPConnector(resolver=resolver, happy_eyeballs_delay=0.05)
    c = await connector.connect(named(server), [], NO_TIMEOUT)
    peer = c.transport.get_extra_info("peername")
    assert peer[0] == "127.0.0.1"
    c.release()
    await connector.close()


def _saturated_listener() -> tuple[socket.socket, list[socket.socket]]:
    """A loopback listener whose accept queue is full: further SYNs go unanswered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers: list[socket.socket] = []
    for _ in range(16):
        s = socket.socket()
        s.setblocking(False)
        fillers.append(s)
        try:
            s.connect(listener.getsockname())
        except BlockingIOError:
            # This one is stuck in SYN-SENT: the queue is full.
            return listener, fillers
    pytest.skip("could not saturate the accept queue on this platform")


async def test_sock_connect_timeout() -> None:
    listener, fillers = _saturated_listener()
    try:
        connector = TCPConnector()
        req = FakeRequest(URL(f"http://127.0.0.1:{listener.getsockname()[1]}/"))
        with pytest.raises(ConnectionTimeoutError):
            await connector.connect(req, [], ClientTimeout(sock_connect=0.1))
        assert not connector._acquired
        with pytest.raises(ConnectionTimeoutError):
            await connector.connect(req, [], ClientTimeout(connect=0.1))
        assert not connector._acquired
        await connector.close()
    finally:
        for s in fillers:
            s.close()
        listener.close()


async def test_local_addr(server: CountingServer) -> None:
    connector = TCPConnector(local_addr=("127.0.0.1", 0))
    c = await connector.connect(FakeRequest(server.url()), [], NO_TIMEOUT)
    assert c.transport.get_extra_info("sockname")[0] == "127.0.0.1"
    c.release()
    await connector.close()


async def test_trace_signals_for_create_queue_and_reuse(server: CountingServer) -> None:
    connector = TCPConnector(limit=1)
    trace = RecordingTrace()
    req = FakeRequest(server.url())
    c = await connector.connect(req, [trace], NO_TIMEOUT)
    assert trace.events == ["connection_create_start", "connection_create_end"]
    waiting = asyncio.create_task(connector.connect(req, [trace], NO_TIMEOUT))
    await asyncio.sleep(0.01)
    c.release()
    c2 = await waiting
    assert trace.events[2:] == ["connection_queued_start", "connection_queued_end", "connection_reuseconn"]
    c2.release()
    await connector.close()


# -- TLS ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls() -> Any:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    return server_ctx, client_ctx


@pytest.fixture
async def tls_server(tls: Any) -> AsyncIterator[CountingServer]:
    srv = CountingServer()
    srv.server = await asyncio.start_server(srv._handle, "127.0.0.1", 0, ssl=tls[0])
    srv.port = srv.server.sockets[0].getsockname()[1]
    yield srv
    await srv.stop()


async def test_default_ssl_contexts_are_singletons() -> None:
    assert SSL_CONTEXT_VERIFIED.verify_mode == ssl.CERT_REQUIRED
    assert SSL_CONTEXT_UNVERIFIED.verify_mode == ssl.CERT_NONE
    a, b = TCPConnector(), TCPConnector(ssl=False)
    req = FakeRequest(URL("https://localhost/"))
    assert a._get_ssl_context(req) is SSL_CONTEXT_VERIFIED
    assert b._get_ssl_context(req) is SSL_CONTEXT_UNVERIFIED
    assert a._get_ssl_context(FakeRequest(URL("http://localhost/"))) is None
    await a.close()
    await b.close()


async def test_untrusted_certificate_maps_to_certificate_error(tls_server: CountingServer) -> None:
    connector = TCPConnector()
    req = FakeRequest(URL(f"https://127.0.0.1:{tls_server.port}/"))
    with pytest.raises(ClientConnectorCertificateError) as info:
        await connector.connect(req, [], NO_TIMEOUT)
    assert isinstance(info.value.certificate_error, ssl.SSLCertVerificationError)
    assert not connector._acquired
    await connector.close()


async def test_ssl_false_and_custom_context_connect(tls_server: CountingServer, tls: Any) -> None:
    url = URL(f"https://127.0.0.1:{tls_server.port}/")
    for connector, req in (
        (TCPConnector(ssl=False), FakeRequest(url)),
        (TCPConnector(ssl=tls[1]), FakeRequest(url)),
        (TCPConnector(), FakeRequest(url, ssl=tls[1])),
        (TCPConnector(), FakeRequest(URL(f"https://localhost:{tls_server.port}/"), ssl=tls[1])),
    ):
        c = await connector.connect(req, [], NO_TIMEOUT)
        assert c.transport.get_extra_info("sslcontext") is not None
        c.release()
        await connector.close()
    await tls_server.settle(0)


async def test_tls_to_plain_server_maps_to_ssl_error() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 20)
        await writer.drain()
        writer.close()

    srv = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    connector = TCPConnector(ssl=False)
    with pytest.raises((ClientConnectorSSLError, ClientConnectorError)) as info:
        await connector.connect(FakeRequest(URL(f"https://127.0.0.1:{port}/")), [], NO_TIMEOUT)
    assert isinstance(info.value, ClientConnectorSSLError) or isinstance(info.value.os_error, ConnectionError)
    await connector.close()
    srv.close()
    await srv.wait_closed()


async def test_deprecated_ssl_arguments() -> None:
    with pytest.warns(DeprecationWarning):
        c = TCPConnector(verify_ssl=False)
    assert c._ssl is False
    await c.close()
    with pytest.raises(ValueError), pytest.warns(DeprecationWarning):
        TCPConnector(verify_ssl=False, ssl=ssl.create_default_context())
    with pytest.raises(TypeError):
        TCPConnector(ssl="yes")


# -- unix sockets / named pipes -------------------------------------------------------


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no unix sockets")
async def test_unix_connector_against_aiohttp_web(tmp_path: Any) -> None:
    from aiohttp import web

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hi")

    app = web.Application()
    app.router.add_get("/", hello)
    runner = web.AppRunner(app)
    await runner.setup()
    path = str(tmp_path / "s.sock")
    site = web.UnixSite(runner, path)
    await site.start()
    try:
        connector = UnixConnector(path)
        assert connector.path == path
        c = await connector.connect(FakeRequest(URL("http://unix.local/")), [], NO_TIMEOUT)
        c.transport.write(b"GET / HTTP/1.1\r\nHost: unix.local\r\nConnection: close\r\n\r\n")
        c.release()
        await connector.close()
        missing = UnixConnector(str(tmp_path / "nope.sock"))
        with pytest.raises(UnixClientConnectorError) as info:
            await missing.connect(FakeRequest(URL("http://unix.local/")), [], NO_TIMEOUT)
        assert info.value.path.endswith("nope.sock")
        await missing.close()
    finally:
        await runner.cleanup()


@pytest.mark.skipif(sys.platform == "win32", reason="the proactor loop does support pipes")
async def test_named_pipe_connector_refuses_non_proactor_loop() -> None:
    with pytest.raises(RuntimeError, match="proactor"):
        NamedPipeConnector(r"\\.\pipe\cyhttp")
