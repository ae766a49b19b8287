"""The connection pool (BaseConnector via TCPConnector) against a real loopback peer."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator

import pytest

from cyhttp._client.exceptions import ClientConnectionError, ConnectionTimeoutError
from cyhttp._client.timeouts import ClientTimeout
from cyhttp.connector import BaseConnector, Connection, TCPConnector

from .._connector_peer import NO_TIMEOUT, CountingServer, FakeRequest

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    srv = await CountingServer().start()
    yield srv
    await srv.stop()


async def test_defaults_match_aiohttp() -> None:
    import aiohttp

    ours = TCPConnector()
    ref = aiohttp.TCPConnector()
    try:
        assert ours.limit == ref.limit == 100
        assert ours.limit_per_host == ref.limit_per_host == 0
        assert ours.force_close is ref.force_close is False
        assert ours._keepalive_timeout == ref._keepalive_timeout == 15.0
        assert ours.use_dns_cache is ref.use_dns_cache is True
        assert ours.family == ref.family
        assert not ours.closed
    finally:
        await ours.close()
        await ref.close()
    assert ours.closed


async def test_force_close_rejects_keepalive() -> None:
    with pytest.raises(ValueError):
        TCPConnector(force_close=True, keepalive_timeout=3)
    conn = TCPConnector(force_close=True)
    assert conn._keepalive_timeout is None
    await conn.close()


async def test_reuse_after_release(server: CountingServer) -> None:
    connector = TCPConnector()
    req = FakeRequest(server.url())
    c1 = await connector.connect(req, [], NO_TIMEOUT)
    assert isinstance(c1, Connection) and not c1.reused and not c1.closed
    proto = c1.protocol
    c1.release()
    assert c1.closed and c1.protocol is None
    c2 = await connector.connect(req, [], NO_TIMEOUT)
    assert c2.reused and c2.protocol is proto
    await server.settle(1)
    assert server.accepted == 1
    c2.release()
    await connector.close()
    await server.settle(0)


async def test_idle_reuse_is_fifo(server: CountingServer) -> None:
    # aiohttp 3.14 hands out the connection released longest ago first.
    connector = TCPConnector()
    req = FakeRequest(server.url())
    a = await connector.connect(req, [], NO_TIMEOUT)
    b = await connector.connect(req, [], NO_TIMEOUT)
    pa, pb = a.protocol, b.protocol
    a.release()
    b.release()
    again = await connector.connect(req, [], NO_TIMEOUT)
    assert again.protocol is pa
    again.release()
    await connector.close()
    assert pb is not None


async def test_close_vs_release(server: CountingServer) -> None:
    connector = TCPConnector()
    req = FakeRequest(server.url())
    c = await connector.connect(req, [], NO_TIMEOUT)
    c.close()
    await server.settle(0)
    c2 = await connector.connect(req, [], NO_TIMEOUT)
    assert not c2.reused
    c2.release()
    await connector.close()


async def test_force_close_closes_after_release(server: CountingServer) -> None:
    connector = TCPConnector(force_close=True)
    req = FakeRequest(server.url())
    for _ in range(3):
        c = await connector.connect(req, [], NO_TIMEOUT)
        assert not c.reused
        c.release()
    await server.settle(0)
    assert server.accepted == 3
    await connector.close()


async def test_should_close_protocol_not_pooled(server: CountingServer) -> None:
    connector = TCPConnector()
    req = FakeRequest(server.url())
    c = await connector.connect(req, [], NO_TIMEOUT)
    c.protocol.force_close()  # the protocol says: do not reuse me
    c.release()
    await server.settle(0)
    assert not connector._conns
    await connector.close()


async def test_closed_idle_connection_discarded(server: CountingServer) -> None:
    connector = TCPConnector()
    req = FakeRequest(server.url())
    c = await connector.connect(req, [], NO_TIMEOUT)
    c.release()
    await server.close_all_connections()  # the peer closes the idle connection
    await server.settle(0)
    c2 = await connector.connect(req, [], NO_TIMEOUT)
    assert not c2.reused and not c2.closed
    c2.release()
    await connector.close()


@pytest.mark.parametrize("limit,limit_per_host", [(3, 0), (0, 2), (5, 2), (1, 0)])
async def test_limits_under_many_concurrent_acquires(
    server: CountingServer, limit: int, limit_per_host: int
) -> None:
    bound = min(x for x in (limit, limit_per_host) if x)
    connector = TCPConnector(limit=limit, limit_per_host=limit_per_host)
    req = FakeRequest(server.url())
    in_use = 0
    peak = 0

    async def one(i: int) -> None:
        nonlocal in_use, peak
        c = await connector.connect(req, [], NO_TIMEOUT)
        in_use += 1
        peak = max(peak, in_use)
        await asyncio.sleep(0.001 * (i % 3))
        in_use -= 1
        if i % 4 == 0:
            c.close()
        else:
            c.release()

    await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(60))), 20)
    assert peak == bound
    assert server.peak <= bound
    assert not connector._waiters and not connector._acquired
    await connector.close()
    await server.settle(0)


async def test_limit_per_host_counts_keys_separately(server: CountingServer) -> None:
    other = await CountingServer().start()
    connector = TCPConnector(limit_per_host=1)
    try:
        a = await connector.connect(FakeRequest(server.url()), [], NO_TIMEOUT)
        b = await connector.connect(FakeRequest(other.url()), [], NO_TIMEOUT)  # other key: no wait
        assert connector._available_connections(FakeRequest(server.url()).connection_key) == 0
        a.release()
        b.release()
    finally:
        await connector.close()
        await other.stop()


async def test_waiters_served_fifo(server: CountingServer) -> None:
    connector = TCPConnector(limit=1)
    req = FakeRequest(server.url())
    first = await connector.connect(req, [], NO_TIMEOUT)
    order: list[int] = []

    async def waiter(i: int) -> None:
        c = await connector.connect(req, [], NO_TIMEOUT)
        order.append(i)
        await asyncio.sleep(0)
        c.release()

    tasks = []
    for i in range(5):
        tasks.append(asyncio.create_task(waiter(i)))
        await asyncio.sleep(0)  # queue them in a known order
    first.release()
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    assert order == [0, 1, 2, 3, 4]
    await connector.close()


async def test_cancelled_queued_waiters_leak_no_slot(server: CountingServer) -> None:
    limit = 3
    connector = TCPConnector(limit=limit)
    req = FakeRequest(server.url())
    held = [await connector.connect(req, [], NO_TIMEOUT) for _ in range(limit)]
    queued = [asyncio.create_task(connector.connect(req, [], NO_TIMEOUT)) for _ in range(10)]
    await asyncio.sleep(0.01)
    assert all(not t.done() for t in queued)
    for t in queued:
        t.cancel()
    await asyncio.gather(*queued, return_exceptions=True)
    assert not connector._waiters
    for c in held:
        c.release()
    # All `limit` slots are still usable.
    again = [await asyncio.wait_for(connector.connect(req, [], NO_TIMEOUT), 5) for _ in range(limit)]
    assert len(connector._acquired) == limit
    for c in again:
        c.release()
    await connector.close()


async def test_woken_then_cancelled_waiter_passes_slot_on(server: CountingServer) -> None:
    connector = TCPConnector(limit=1)
    req = FakeRequest(server.url())
    held = await connector.connect(req, [], NO_TIMEOUT)
    w1 = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await asyncio.sleep(0)
    w2 = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await asyncio.sleep(0.01)
    held.release()  # wakes w1 (its future resolves) ...
    w1.cancel()  # ... but w1 is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await w1
    c2 = await asyncio.wait_for(w2, 5)  # w2 must get the slot
    c2.release()
    assert not connector._acquired
    await connector.close()


async def test_cancel_during_create_frees_slot() -> None:
    # A peer that never accepts: the listening socket's backlog holds the SYN, so the
    # connect itself completes; instead block in the resolver to cancel mid-create.
    from cyhttp._client.connector.resolver import ThreadedResolver

    gate = asyncio.Event()

    class SlowResolver(ThreadedResolver):
        async def resolve(self, host, port=0, family=0):  # type: ignore[no-untyped-def]
            await gate.wait()
            return await super().resolve("127.0.0.1", port, family)

    connector = TCPConnector(limit=1, resolver=SlowResolver())
    from yarl import URL

    req = FakeRequest(URL("http://slow.invalid:9/"))
    task = asyncio.create_task(connector.connect(req, [], NO_TIMEOUT))
    await asyncio.sleep(0.01)
    assert len(connector._acquired) == 1  # the placeholder holds the slot
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not connector._acquired
    await connector.close()


async def test_connect_timeout_includes_pool_wait(server: CountingServer) -> None:
    connector = TCPConnector(limit=1)
    req = FakeRequest(server.url())
    held = await connector.connect(req, [], NO_TIMEOUT)
    with pytest.raises(ConnectionTimeoutError):
        await connector.connect(req, [], ClientTimeout(connect=0.05))
    assert not connector._waiters
    held.release()
    c = await connector.connect(req, [], ClientTimeout(connect=5))
    c.release()
    await connector.close()


async def test_keepalive_expiry_closes_idle(server: CountingServer) -> None:
    connector = TCPConnector(keepalive_timeout=0.1)
    req = FakeRequest(server.url())
    conns = [await connector.connect(req, [], NO_TIMEOUT) for _ in range(3)]
    for c in conns:
        c.release()
    await server.settle(3)
    assert connector._cleanup_handle is not None  # one timer for the whole pool
    await server.settle(0)  # closed by the cleanup timer, within 2 s
    assert not connector._conns
    assert connector._cleanup_handle is None
    await connector.close()


async def test_keepalive_expired_connection_not_reused(server: CountingServer) -> None:
    connector = TCPConnector(keepalive_timeout=0.05)
    req = FakeRequest(server.url())
    c = await connector.connect(req, [], NO_TIMEOUT)
    c.release()
    connector._cleanup_handle.cancel()  # make only the acquire-time check matter
    connector._cleanup_handle = None
    await asyncio.sleep(0.1)
    c2 = await connector.connect(req, [], NO_TIMEOUT)
    assert not c2.reused
    c2.release()
    await connector.close()


async def test_keepalive_none_keeps_idle(server: CountingServer) -> None:
    connector = TCPConnector(keepalive_timeout=None)
    req = FakeRequest(server.url())
    c = await connector.connect(req, [], NO_TIMEOUT)
    c.release()
    assert connector._cleanup_handle is None
    c2 = await connector.connect(req, [], NO_TIMEOUT)
    assert c2.reused
    c2.release()
    await connector.close()


async def test_close_is_idempotent_and_closes_everything(server: CountingServer) -> None:
    other = await CountingServer().start()
    connector = TCPConnector(limit_per_host=1)
    req, req2 = FakeRequest(server.url()), FakeRequest(other.url())
    idle = await connector.connect(req, [], NO_TIMEOUT)
    idle.release()
    busy = await connector.connect(req2, [], NO_TIMEOUT)
    waiting = asyncio.create_task(connector.connect(req2, [], NO_TIMEOUT))
    await asyncio.sleep(0.01)
    await server.settle(1)
    await other.settle(1)
    await connector.close()
    assert connector.closed
    await server.settle(0)
    await other.settle(0)
    with pytest.raises(asyncio.CancelledError):
        await waiting  # queued waiters are cancelled on close
    await connector.close()  # again: no error
    busy.release()  # releasing after close is harmless
    with pytest.raises(ClientConnectionError):
        await connector.connect(req, [], NO_TIMEOUT)
    await other.stop()


async def test_async_with_closes(server: CountingServer) -> None:
    async with TCPConnector() as connector:
        c = await connector.connect(FakeRequest(server.url()), [], NO_TIMEOUT)
        c.release()
    assert connector.closed
    await server.settle(0)


async def test_unclosed_connection_warns_and_frees_slot(server: CountingServer) -> None:
    connector = TCPConnector(limit=1)
    req = FakeRequest(server.url())
    c = await connector.connect(req, [], NO_TIMEOUT)
    loop = asyncio.get_running_loop()
    seen: list[dict] = []
    old = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, ctx: seen.append(ctx))
    try:
        with pytest.warns(ResourceWarning, match="Unclosed connection"):
            del c
            gc.collect()
    finally:
        loop.set_exception_handler(old)
    assert seen and seen[0]["message"] == "Unclosed connection"
    assert not connector._acquired
    await connector.close()
    await server.settle(0)


async def test_base_connector_create_not_implemented(server: CountingServer) -> None:
    connector = BaseConnector()
    with pytest.raises(NotImplementedError):
        await connector.connect(FakeRequest(server.url()), [], NO_TIMEOUT)
    assert not connector._acquired
    await connector.close()


async def test_release_callbacks_run_once(server: CountingServer) -> None:
    connector = TCPConnector()
    c = await connector.connect(FakeRequest(server.url()), [], NO_TIMEOUT)
    calls: list[int] = []
    c.add_callback(lambda: calls.append(1))
    c.add_callback(lambda: 1 / 0)  # a failing callback does not break release
    c.release()
    c.release()
    assert calls == [1]
    await connector.close()
